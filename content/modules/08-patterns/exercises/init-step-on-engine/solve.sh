cat > "$HOME/init-live/compose.yaml" <<'YAML'
services:
  migrate:
    image: busybox:1.37
    command: ["sh", "-c", "echo migrating...; sleep 2; echo schema-v2 > /data/migrated; echo done"]
    volumes:
      - appdata:/data

  app:
    image: busybox:1.37
    command: ["sh", "-c", "cat /data/migrated || exit 1; echo app ready; sleep 3600"]
    volumes:
      - appdata:/data
    depends_on:
      migrate:
        condition: service_completed_successfully

volumes:
  appdata:
YAML
cd "$HOME/init-live" || exit 1
docker compose up -d >/dev/null 2>&1
