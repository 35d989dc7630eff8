cat > "$HOME/sidecar-live/compose.yaml" <<'YAML'
services:
  app:
    image: busybox:1.37
    command: ["sh", "-c", "mkdir -p /var/log/app; while true; do echo 'app: order handled' >> /var/log/app/app.log; sleep 2; done"]
    volumes:
      - applogs:/var/log/app

  shipper:
    image: busybox:1.37
    command: ["tail", "-F", "/logs/app.log"]
    volumes:
      - applogs:/logs:ro
    depends_on:
      - app

volumes:
  applogs:
YAML
cd "$HOME/sidecar-live" || exit 1
docker compose up -d >/dev/null 2>&1 || exit 1
# Give the sidecar a moment to print the first lines.
i=0
while [ "$i" -lt 15 ]; do
  docker compose logs shipper 2>/dev/null | grep -q 'order handled' && break
  sleep 1
  i=$((i + 1))
done
