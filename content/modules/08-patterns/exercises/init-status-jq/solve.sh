f=~/k8s/shop-pod.json
{
  jq -r '.status.initContainerStatuses[] | select((.lastState.terminated.exitCode // 0) != 0)
    | "failing=\(.name)\nexit_code=\(.lastState.terminated.exitCode)\nrestarts=\(.restartCount)"' "$f"
  jq -r '"app_state=" + .status.containerStatuses[0].state.waiting.reason' "$f"
} > ~/k8s/init-report.txt
