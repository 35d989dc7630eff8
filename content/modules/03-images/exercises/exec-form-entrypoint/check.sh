# Parses ~/uptime-probe/Dockerfile and checks the form of ENTRYPOINT and CMD.
f="$LAB_HOME/uptime-probe/Dockerfile"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/uptime-probe/Dockerfile exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/uptime-probe/Dockerfile exists"
python3 -c '
import json, sys

def parse(path):
    with open(path, "rb") as fh:
        text = fh.read(65536).decode("utf-8", "replace")
    steps, cur = [], ""
    for raw in text.splitlines():
        s = raw.strip()
        if s.startswith("#") or (not s and not cur):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        cur += s
        if cur.strip():
            steps.append(cur.strip())
        cur = ""
    if cur.strip():
        steps.append(cur.strip())
    out = []
    for st in steps:
        parts = st.split(None, 1)
        out.append((parts[0].upper(), parts[1] if len(parts) > 1 else ""))
    return out

def exec_form(arg):
    try:
        v = json.loads(arg)
    except ValueError:
        return None
    if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
        return v
    return None

def form_problem(arg):
    if arg.lstrip().startswith("["):
        return "looks like exec form but is not a valid JSON array of strings (use double quotes)"
    return "shell form: " + arg[:80]

steps = parse(sys.argv[1])
ok = True
def report(good, what, expected, actual):
    global ok
    if good:
        print("PASS: " + what)
    else:
        ok = False
        print("FAIL: %s | expected: %s | actual: %s" % (what, expected, actual))

eps = [a for k, a in steps if k == "ENTRYPOINT"]
cmds = [a for k, a in steps if k == "CMD"]
if not eps:
    report(False, "the Dockerfile has an ENTRYPOINT", "ENTRYPOINT [\"/usr/local/bin/probe.sh\"]", "none")
else:
    ep = exec_form(eps[-1])
    report(ep is not None, "ENTRYPOINT is in exec form", "ENTRYPOINT [\"/usr/local/bin/probe.sh\"]",
           form_problem(eps[-1]) if ep is None else "")
    if ep is not None:
        report("/usr/local/bin/probe.sh" in ep and "-c" not in ep, "ENTRYPOINT runs /usr/local/bin/probe.sh",
               "[\"/usr/local/bin/probe.sh\"]", json.dumps(ep)[:120])
        report(not any("example.com" in x for x in ep), "the URL is not baked into ENTRYPOINT",
               "the URL only in CMD", json.dumps(ep)[:120])
if not cmds:
    report(False, "the Dockerfile has a CMD", "CMD [\"https://example.com\"]", "none")
else:
    cm = exec_form(cmds[-1])
    report(cm is not None, "CMD is in exec form", "CMD [\"https://example.com\"]",
           form_problem(cmds[-1]) if cm is None else "")
    if cm is not None:
        report([x.rstrip("/") for x in cm] == ["https://example.com"], "CMD holds only the default URL",
               "[\"https://example.com\"]", json.dumps(cm)[:120])
if not ok:
    print("HINT: with an exec-form ENTRYPOINT, the CMD array is appended to it as arguments, and docker run arguments replace the CMD")
sys.exit(0 if ok else 1)
' "$f" </dev/null
