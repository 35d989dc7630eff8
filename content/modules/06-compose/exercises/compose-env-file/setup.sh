docker image inspect mini >/dev/null 2>&1 || tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - mini >/dev/null
# A project that needs two files the learner writes: app.env and .env.
d="$HOME/notes"
mkdir -p "$d"
cat > "$d/compose.yaml" <<'YAML'
services:
  app:
    image: mini
    command: ["sleep", "3600"]
    init: true
    env_file:
      - app.env
    environment:
      RELEASE: ${RELEASE:?set RELEASE in .env}
YAML
rm -f "$d/app.env" "$d/.env"
