# A shipper that follows a log file it cannot see.
cat >> ~/sidecar-live/compose.yaml <<'YAML'

  shipper:
    image: busybox:1.37
    command: ["tail", "-F", "/logs/app.log"]
YAML
cd ~/sidecar-live && docker compose up -d --quiet-pull
sleep 3
