# What `kubectl get pod shop -o json` printed while the pod was stuck.
mkdir -p "$HOME/k8s"
rm -f "$HOME/k8s/init-report.txt"
cat > "$HOME/k8s/shop-pod.json" <<'JSON'
{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "shop", "namespace": "default", "labels": {"app": "shop"}},
  "spec": {
    "initContainers": [
      {"name": "wait-for-db", "image": "busybox:1.37", "command": ["sh", "-c", "until nc -z db 5432; do sleep 2; done"]},
      {"name": "migrate", "image": "ghcr.io/example/shop:2.4.0", "command": ["shop", "migrate"]}
    ],
    "containers": [{"name": "app", "image": "ghcr.io/example/shop:2.4.0"}],
    "restartPolicy": "Always"
  },
  "status": {
    "phase": "Pending",
    "conditions": [
      {"type": "Initialized", "status": "False", "reason": "ContainersNotInitialized",
       "message": "containers with incomplete status: [migrate]"},
      {"type": "Ready", "status": "False", "reason": "ContainersNotReady"}
    ],
    "initContainerStatuses": [
      {"name": "wait-for-db", "ready": true, "restartCount": 0, "image": "busybox:1.37",
       "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                "startedAt": "2025-03-14T09:12:02Z", "finishedAt": "2025-03-14T09:12:09Z"}}},
      {"name": "migrate", "ready": false, "restartCount": 4, "image": "ghcr.io/example/shop:2.4.0",
       "lastState": {"terminated": {"exitCode": 3, "reason": "Error",
                                    "startedAt": "2025-03-14T09:14:40Z", "finishedAt": "2025-03-14T09:14:41Z"}},
       "state": {"waiting": {"reason": "CrashLoopBackOff",
                             "message": "back-off 1m20s restarting failed container=migrate pod=shop_default"}}}
    ],
    "containerStatuses": [
      {"name": "app", "ready": false, "restartCount": 0, "image": "ghcr.io/example/shop:2.4.0",
       "state": {"waiting": {"reason": "PodInitializing"}}}
    ]
  }
}
JSON
