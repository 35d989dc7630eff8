cat > "$HOME/gate/compose.yaml" <<'YAML'
services:
  web:
    image: busybox:1.37
    # Warms up for 4 seconds, then writes its page and starts serving it.
    command: ["sh", "-c", "sleep 4 && mkdir -p /www && echo 'catalogue ready' > /www/index.html && exec httpd -f -p 80 -h /www"]
    init: true
    healthcheck:
      test: ["CMD", "wget", "-q", "--spider", "http://localhost/"]
      interval: 1s
      timeout: 2s
      retries: 15
  report:
    image: busybox:1.37
    # Fetches the page once and exits: 0 if it got it, 1 if not.
    command: ["wget", "-qO-", "http://web/"]
    depends_on:
      web:
        condition: service_healthy
YAML
cd "$HOME/gate" && docker compose up -d --quiet-pull >/dev/null 2>&1
i=0
while [ "$i" -lt 50 ] && [ "$(docker compose ps -a --format '{{.State}}' report 2>/dev/null)" != "exited" ]; do
  sleep 0.1
  i=$((i + 1))
done
