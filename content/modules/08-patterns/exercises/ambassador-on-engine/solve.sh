cat > ~/ambassador-live/compose.yaml <<'YAML'
services:
  cache:
    image: redis:8

  app:
    image: redis:8
    environment:
      CACHE_HOST: localhost
      CACHE_PORT: "6379"
    command: ["sh", "-c", "while true; do echo visits: $$(redis-cli -h $$CACHE_HOST -p $$CACHE_PORT INCR visits 2>&1); sleep 2; done"]

  ambassador:
    image: python:3.13-slim
    network_mode: "service:app"
    environment:
      LISTEN: 127.0.0.1:6379
      UPSTREAM: cache:6379
    command: ["python", "/proxy/proxy.py"]
    volumes:
      - ./proxy.py:/proxy/proxy.py:ro
YAML
cd ~/ambassador-live && docker compose up -d --quiet-pull
retry 30 sh -c 'docker compose logs app | grep -q "visits: [0-9]"'
