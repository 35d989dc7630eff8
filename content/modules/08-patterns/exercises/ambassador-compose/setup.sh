mkdir -p "$HOME/ambassador"
cat > "$HOME/ambassador/compose.yaml" <<'YAML'
services:
  app:
    image: ghcr.io/example/shop:2.4.0
    environment:
      CACHE_ADDR: cache.prod.example.net:6379
    ports:
      - "8080:8000"
YAML
