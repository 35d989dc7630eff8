# A fixed wait in the report instead of a health check on web.
cat > ~/gate/compose.yaml <<'YAML'
services:
  web:
    image: busybox:1.37
    command: ["sh", "-c", "sleep 4 && mkdir -p /www && echo 'catalogue ready' > /www/index.html && exec httpd -f -p 80 -h /www"]
    init: true
  report:
    image: busybox:1.37
    command: ["sh", "-c", "sleep 6 && wget -qO- http://web/"]
    depends_on: [web]
YAML
cd ~/gate && docker compose up -d --quiet-pull
retry 15 sh -c '[ "$(docker compose ps -a --format "{{.State}}" report)" = exited ]'
