# The small `busybox:1.37` image, made from the lab's busybox (once): nothing to pull.
mkdir -p "$HOME/sidecar-live"
cat > "$HOME/sidecar-live/compose.yaml" <<'YAML'
services:
  app:
    image: busybox:1.37
    # Writes one line to a log FILE every two seconds, like an old app that
    # cannot log to standard output.
    command: ["sh", "-c", "mkdir -p /var/log/app; while true; do echo 'app: order handled' >> /var/log/app/app.log; sleep 2; done"]
YAML
