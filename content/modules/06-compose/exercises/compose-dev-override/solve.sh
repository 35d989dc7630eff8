printf 'WEB_TAG=dev\nDB_PASSWORD=devpass\n' > "$HOME/blog/.env"
cat > "$HOME/blog/compose.override.yaml" <<'YAML'
services:
  web:
    build: .
    volumes:
      - ./src:/app/src
    environment:
      LOG_LEVEL: debug

  adminer:
    image: adminer:4
    ports:
      - "8081:8080"
    profiles: [debug]
YAML
