# Compares ~/adapter/app.jsonl with the translation of the legacy log setup wrote.
f="$LAB_HOME/adapter/app.jsonl"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/adapter/app.jsonl exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/adapter/app.jsonl exists"
python3 - "$f" <<'PY'
import json, re, sys

# The legacy log as setup.sh writes it (kept here so editing the input cannot change the answer).
LEGACY = [
    ("2025-03-14T09:12:01Z", "I", "service started on port 8080"),
    ("2025-03-14T09:12:05Z", "W", "cache miss rate 41%"),
    ("2025-03-14T09:13:44Z", "E", "payment gateway timed out after 30s"),
    ("2025-03-14T09:14:02Z", "I", 'user "ada" signed in'),
    ("2025-03-14T09:15:30Z", "D", "pool size 8/16"),
    ("2025-03-14T09:16:10Z", "W", "disk /var at 91% \\ rotate soon"),
    ("2025-03-14T09:17:00Z", "I", "nightly report queued"),
]
LEVELS = {"I": "info", "W": "warn", "E": "error", "D": "debug"}
want = [{"time": t, "level": LEVELS[l], "msg": m} for t, l, m in LEGACY]

def clean(v):
    return re.sub(r"[|\r\n]+", " ", str(v))[:120]

with open(sys.argv[1], "rb") as fh:
    text = fh.read(65536).decode("utf-8", "replace")
lines = [l for l in text.splitlines() if l.strip()]
fails = 0
got = []
for i, line in enumerate(lines, 1):
    try:
        obj = json.loads(line)
    except ValueError as e:
        print("FAIL: line %d is valid JSON | expected: one JSON object | actual: %s (%s)" % (i, clean(line), clean(e)))
        if '"' in line[1:-1]:
            print("HINT: a quote inside a message must be escaped as \\\" ; let jq or python3 write the JSON")
        sys.exit(1)
    if not isinstance(obj, dict):
        print("FAIL: line %d is a JSON object | expected: {...} | actual: %s" % (i, clean(line)))
        sys.exit(1)
    got.append(obj)
print("PASS: every line is a JSON object (%d lines)" % len(got))

if len(got) != len(want):
    print("FAIL: one output line per log line | expected: %d | actual: %d" % (len(want), len(got)))
    fails += 1
else:
    print("PASS: one output line per log line (%d)" % len(want))

keys_ok = all(set(o.keys()) == {"time", "level", "msg"} for o in got)
if keys_ok:
    print("PASS: each object has exactly the keys time, level, msg")
else:
    odd = next(o for o in got if set(o.keys()) != {"time", "level", "msg"})
    print("FAIL: each object has exactly the keys time, level, msg | expected: time, level, msg | actual: %s" % clean(", ".join(map(str, odd.keys()))))
    fails += 1

for i, (g, w) in enumerate(zip(got, want), 1):
    if g != w:
        print("FAIL: line %d matches the translation | expected: %s | actual: %s" % (i, clean(json.dumps(w)), clean(json.dumps(g))))
        if g.get("level") == LEGACY[i - 1][1]:
            print("HINT: spell the level out: I=info, W=warn, E=error, D=debug")
        fails += 1
        break
else:
    if got and len(got) == len(want):
        print("PASS: every line carries the right time, level and message, in order")

sys.exit(1 if fails else 0)
PY
