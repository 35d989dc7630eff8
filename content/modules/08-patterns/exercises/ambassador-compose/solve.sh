mkdir -p "$HOME/ambassador"
cat > "$HOME/ambassador/compose.yaml" <<'YAML'
services:
  app:
    image: ghcr.io/example/shop:2.4.0
    environment:
      CACHE_ADDR: localhost:6379
    ports:
      - "8080:8000"

  ambassador:
    image: alpine/socat:1.8.0.3
    network_mode: "service:app"
    command: ["TCP-LISTEN:6379,fork,reuseaddr", "TCP:cache.prod.example.net:6379"]
YAML
