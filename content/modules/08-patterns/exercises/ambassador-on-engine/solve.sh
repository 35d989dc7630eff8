cat > "$HOME/ambassador-live/compose.yaml" <<'YAML'
services:
  app:
    image: busybox:1.37
    environment:
      CACHE_ADDR: localhost:6379
    command: ["sh", "-c", "while true; do wget -q -T 2 -O - http://$$CACHE_ADDR/ || echo cache unreachable; sleep 2; done"]

  ambassador:
    image: busybox:1.37
    network_mode: "service:app"
    command: ["sh", "-c", "mkdir -p /www && echo 'ambassador: cache reached' > /www/index.html && httpd -f -p 6379 -h /www"]
YAML
cd "$HOME/ambassador-live" || exit 1
docker compose up -d >/dev/null 2>&1 || exit 1
i=0
while [ "$i" -lt 15 ]; do
  docker compose logs app 2>/dev/null | grep -q 'cache reached' && break
  sleep 1
  i=$((i + 1))
done
