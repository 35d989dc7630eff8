# Parses ~/greeter/Dockerfile into stages and checks the final one.
f="$LAB_HOME/greeter/Dockerfile"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/greeter/Dockerfile exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/greeter/Dockerfile exists"
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

def exec_form(arg):
    try:
        v = json.loads(arg)
    except ValueError:
        return None
    if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
        return v
    return None

ok = True
def report(good, what, expected, actual):
    global ok
    if good:
        print("PASS: " + what)
    else:
        ok = False
        print("FAIL: %s | expected: %s | actual: %s" % (what, expected, actual))

stages = []
for k, a in parse(sys.argv[1]):
    if k == "FROM":
        words = [w for w in a.split() if not w.startswith("--")]
        image = words[0] if words else ""
        name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
        stages.append({"image": image, "name": name, "steps": []})
    elif stages:
        stages[-1]["steps"].append((k, a))

report(len(stages) >= 2, "the Dockerfile has at least two stages", "two or more FROM lines", "%d FROM line(s)" % len(stages))
if len(stages) < 2:
    print("HINT: a second FROM starts a new, empty stage; only the last stage becomes the image")
    sys.exit(1)

def base_of(i, seen=0):
    # Follow "FROM <earlier stage>" back to a real image.
    img = stages[i]["image"]
    for j in range(i):
        if stages[j]["name"] and stages[j]["name"] == img.lower() and seen < 10:
            return base_of(j, seen + 1)
    return img

names = [s["name"] for s in stages[:-1] if s["name"]]
build = [s for s in stages[:-1] if s["name"] and base_of(stages.index(s)).split("/")[-1].startswith("golang")
         and any(k == "RUN" and "go build" in a for k, a in s["steps"])]
report(bool(build), "a named golang stage builds the binary", "FROM golang:... AS build with RUN go build",
       "earlier stages: " + ", ".join("%s AS %s" % (s["image"], s["name"]) for s in stages[:-1])[:150])

final = stages[-1]
final_base = base_of(len(stages) - 1)
report(not final_base.split("/")[-1].startswith("golang"), "the final stage does not ship the Go toolchain",
       "a small base such as distroless, alpine or scratch", "FROM " + final_base)

copies = []
for k, a in final["steps"]:
    if k in ("COPY", "ADD"):
        m = re.search(r"--from=(\S+)", a)
        if m:
            copies.append(m.group(1).lower())
report(any(c in names for c in copies), "the final stage copies from a named build stage",
       "COPY --from=<stage name> ... (stages: %s)" % (", ".join(names) or "none named"),
       ("COPY --from=" + ", ".join(copies)) if copies else "no COPY --from in the final stage")

users = [a.strip() for k, a in final["steps"] if k == "USER"]
user = users[-1] if users else ""
who = user.split(":")[0]
if not users:
    report(False, "the final stage runs as a non-root user", "USER 65532 or another non-root user", "no USER: root by default")
elif who in ("root", "0"):
    report(False, "the final stage runs as a non-root user", "a non-root user", "USER " + user)
elif final_base == "scratch" and not re.fullmatch(r"\d+(:\d+)?", user):
    report(False, "the final stage runs as a non-root user", "a numeric USER on scratch (no /etc/passwd there)", "USER " + user)
else:
    report(True, "the final stage runs as a non-root user (USER %s)" % user[:40], "", "")

starts = [(k, a) for k, a in final["steps"] if k in ("ENTRYPOINT", "CMD")]
if not starts:
    report(False, "the final stage says what to run", "ENTRYPOINT [\"/greeter\"]", "no ENTRYPOINT or CMD in the final stage")
else:
    bad = [k + " " + a for k, a in starts if exec_form(a) is None]
    report(not bad, "ENTRYPOINT/CMD in the final stage use exec form", "a JSON array, e.g. [\"/greeter\"]", (bad or [""])[0][:100])
if not ok:
    print("HINT: FROM golang:1.25 AS build ... then FROM <small base>, COPY --from=build <binary> <path>, USER <non-root>, ENTRYPOINT [<path>]")
sys.exit(0 if ok else 1)
' "$f" </dev/null
