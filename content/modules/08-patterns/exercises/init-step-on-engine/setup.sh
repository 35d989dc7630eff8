# The small `busybox:1.37` image, made from the lab's busybox (once): nothing to pull.
mkdir -p "$HOME/init-live"
cat > "$HOME/init-live/compose.yaml" <<'YAML'
services:
  migrate:
    image: busybox:1.37
    # A one-shot step: pretend to migrate, leave a marker, exit 0.
    command: ["sh", "-c", "echo migrating...; sleep 2; echo schema-v2 > /data/migrated; echo done"]
    volumes:
      - appdata:/data

  app:
    image: busybox:1.37
    # Refuses to start (exit 1) unless the migration has left its marker.
    command: ["sh", "-c", "cat /data/migrated || exit 1; echo app ready; sleep 3600"]
    volumes:
      - appdata:/data

volumes:
  appdata:
YAML
