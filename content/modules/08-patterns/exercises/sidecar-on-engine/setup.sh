# The small `mini` image, made from the lab's busybox (once): nothing to pull.
docker image inspect mini >/dev/null 2>&1 || tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - mini >/dev/null
mkdir -p "$HOME/sidecar-live"
cat > "$HOME/sidecar-live/compose.yaml" <<'YAML'
services:
  app:
    image: mini
    # Writes one line to a log FILE every two seconds, like an old app that
    # cannot log to standard output.
    command: ["sh", "-c", "mkdir -p /var/log/app; while true; do echo 'app: order handled' >> /var/log/app/app.log; sleep 2; done"]
YAML
