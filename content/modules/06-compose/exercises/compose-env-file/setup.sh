# A project that needs two files the learner writes: app.env and .env.
d="$HOME/notes"
mkdir -p "$d"
cat > "$d/compose.yaml" <<'YAML'
services:
  app:
    image: busybox:1.37
    command: ["sleep", "3600"]
    init: true
    env_file:
      - app.env
    environment:
      RELEASE: ${RELEASE:?set RELEASE in .env}
YAML
rm -f "$d/app.env" "$d/.env"
