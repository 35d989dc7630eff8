# Parses ~/notes-api/Dockerfile (never builds or runs it) and checks the order of its steps.
f="$LAB_HOME/notes-api/Dockerfile"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/notes-api/Dockerfile exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/notes-api/Dockerfile exists"
python3 -c '
import json, re, sys

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

def copy_sources(arg):
    try:
        v = json.loads(arg)
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            return v[:-1], False
    except ValueError:
        pass
    words = arg.split()
    from_stage = any(w.startswith("--from") for w in words)
    words = [w for w in words if not w.startswith("--")]
    return words[:-1], from_stage

steps = parse(sys.argv[1])
ok = True
def report(good, what, expected, actual):
    global ok
    if good:
        print("PASS: " + what)
    else:
        ok = False
        print("FAIL: %s | expected: %s | actual: %s" % (what, expected, actual))

froms = [a for k, a in steps if k == "FROM"]
report(bool(froms) and froms[0].split()[0].startswith("python:"), "the base image is still python",
       "FROM python:3.13-slim", froms[0] if froms else "no FROM")

pip = [i for i, (k, a) in enumerate(steps) if k == "RUN" and "pip install" in a and "requirements" in a]
if not pip:
    report(False, "a RUN installs requirements.txt with pip", "RUN pip install -r requirements.txt", "no such RUN")
    print("HINT: keep the pip install step; only its position changes")
    sys.exit(1)
p = pip[0]
before = [(i, copy_sources(a)[0]) for i, (k, a) in enumerate(steps[:p]) if k in ("COPY", "ADD") and not copy_sources(a)[1]]
whole = [i for i, srcs in before if any(s.rstrip("/") in (".", "*", "./*", "") or s in ("./",) for s in srcs)]
report(not whole, "the whole context is not copied before pip install",
       "COPY . . after the pip install RUN", "COPY of the whole context on step %d, before pip install on step %d" % (whole[0] + 1, p + 1) if whole else "")
req = [i for i, srcs in before if srcs and all(re.search(r"requirements[^/]*\.txt$", s) for s in srcs)]
report(bool(req), "requirements.txt is copied on its own before pip install",
       "COPY requirements.txt . before the pip install RUN", "no COPY of requirements.txt before it")
after = [i for i, (k, a) in enumerate(steps) if i > p and k in ("COPY", "ADD") and not copy_sources(a)[1]
         and not all(re.search(r"requirements[^/]*\.txt$", s) for s in copy_sources(a)[0])]
report(bool(after), "the source code is copied after pip install", "COPY . . below the pip install RUN", "no COPY after it")

runs = [a for k, a in steps if k == "RUN"]
lone = [a for a in runs if re.search(r"apt(-get)?\s+update", a) and not re.search(r"apt(-get)?\s+install", a)]
report(not lone, "apt-get update never runs in a RUN of its own", "update and install in one RUN", "RUN " + lone[0] if lone else "")
paired = [a for a in runs if re.search(r"apt(-get)?\s+update", a) and re.search(r"apt(-get)?\s+install", a) and "curl" in a]
report(bool(paired), "curl is installed in the same RUN as apt-get update", "RUN apt-get update && apt-get install -y curl",
       "no RUN with both")
cmds = [a for k, a in steps if k == "CMD"]
report(bool(cmds), "the CMD is still there", "CMD [\"python\", \"app.py\"]", "no CMD")
if not ok:
    print("HINT: the builder reuses a step only while every step above it is unchanged; put what changes least at the top")
sys.exit(0 if ok else 1)
' "$f" </dev/null
