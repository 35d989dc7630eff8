# A legacy app that writes "time;L;message" lines into a shared volume,
# and an adapter container waiting for its translation script.
set -e
d="$HOME/adapter"
rm -rf "$d"
mkdir -p "$d"
cat > "$d/legacy.log" <<'LOG'
2025-03-14T09:12:01Z;I;service started on port 8080
2025-03-14T09:12:05Z;W;cache miss rate 41%
2025-03-14T09:13:44Z;E;payment gateway timed out after 30s
2025-03-14T09:14:02Z;I;user "ada" signed in
2025-03-14T09:15:30Z;D;pool size 8/16
2025-03-14T09:16:10Z;W;disk /var at 91% \ rotate soon
2025-03-14T09:17:00Z;I;nightly report queued
LOG
cat > "$d/compose.yaml" <<'YAML'
services:
  legacy:
    image: busybox:1.37
    # The legacy app: writes its log into the shared volume, then idles.
    command: ["sh", "-c", "cat /input/legacy.log > /logs/app.log; exec sleep 3600"]
    init: true
    volumes:
      - ./legacy.log:/input/legacy.log:ro
      - logs:/logs

  adapter:
    image: python:3.13-slim
    depends_on: [legacy]
    # Follows the legacy log and writes the translation to its own output.
    command: ["sh", "-c", "tail -n +1 -F /logs/app.log | python -u /adapter/adapt.py"]
    init: true
    volumes:
      - logs:/logs:ro
      - ./adapt.py:/adapter/adapt.py:ro

volumes:
  logs:
YAML
printf 'import sys\n\nfor line in sys.stdin:\n    pass  # translate each line here and print it\n' > "$d/adapt.py"
