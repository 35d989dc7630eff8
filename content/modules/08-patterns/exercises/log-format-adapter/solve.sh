cat > ~/adapter/adapt.py <<'PY'
import json, sys

LEVELS = {"I": "info", "W": "warn", "E": "error", "D": "debug"}
for line in sys.stdin:
    time, level, msg = line.rstrip("\n").split(";", 2)
    print(json.dumps({"time": time, "level": LEVELS.get(level, level), "msg": msg}), flush=True)
PY
cd ~/adapter && docker compose up -d --quiet-pull
retry 30 sh -c 'docker compose logs --no-log-prefix adapter | grep -q "nightly report"'
