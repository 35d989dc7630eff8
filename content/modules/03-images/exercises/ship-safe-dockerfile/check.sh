# Parses ~/invoices/Dockerfile: pinned base, no token, secret mount for npm ci.
f="$LAB_HOME/invoices/Dockerfile"
ign="$LAB_HOME/invoices/.dockerignore"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/invoices/Dockerfile exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/invoices/Dockerfile exists"
python3 -c '
import fnmatch, json, re, sys

TOKEN = "npm_FAKE7d1c0ffee0example0token0do0not0use"

def read(path):
    try:
        with open(path, "rb") as fh:
            return fh.read(65536).decode("utf-8", "replace")
    except OSError:
        return ""

def parse(text):
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

ok = True
def report(good, what, expected, actual):
    global ok
    if good:
        print("PASS: " + what)
    else:
        ok = False
        print("FAIL: %s | expected: %s | actual: %s" % (what, expected, actual))

text = read(sys.argv[1])
steps = parse(text)

froms = [a for k, a in steps if k == "FROM"]
ref = ""
if froms:
    words = [w for w in froms[-1].split() if not w.startswith("--")]
    ref = words[0] if words else ""
name_tag, _, digest = ref.partition("@")
last = name_tag.rsplit("/", 1)[-1]
repo, _, tag = last.partition(":")
pinned_digest = re.fullmatch(r"sha256:[0-9a-f]{64}", digest) is not None
pinned_tag = bool(tag) and tag != "latest" and re.search(r"\d", tag) is not None
report(repo == "node" and (pinned_tag or pinned_digest), "the node base image is pinned to a version",
       "FROM node:<version>, e.g. node:22.12-slim", "FROM " + (ref or "(none)"))

report(TOKEN not in text, "the token appears nowhere in the Dockerfile", "no npm_... token", "the token is still written in the file")
leaky = [k + " " + a for k, a in steps if k in ("ENV", "ARG") and re.search(r"token|secret|passw|npmrc|auth", a, re.I)]
report(not leaky, "no ENV or ARG carries a credential", "no ENV/ARG for the token", (leaky or [""])[0][:100])

def sources(arg):
    try:
        v = json.loads(arg)
        if isinstance(v, list):
            return [str(x) for x in v[:-1]]
    except ValueError:
        pass
    words = [w for w in arg.split() if not w.startswith("--")]
    return words[:-1]

copied = [k + " " + a for k, a in steps if k in ("COPY", "ADD") and any(s.rstrip("/").endswith(".npmrc") for s in sources(a))]
report(not copied, "no COPY or ADD brings .npmrc into the image", "COPY package.json package-lock.json ./", (copied or [""])[0][:100])

def ignores_npmrc(text):
    state = False
    for line in text.splitlines()[:2000]:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        neg = line.startswith("!")
        pat = line[1:].strip() if neg else line
        while pat.startswith("./"):
            pat = pat[2:]
        pat = pat.strip("/")
        if pat.startswith("**/"):
            pat = pat[3:]
        if pat and fnmatch.fnmatchcase(".npmrc", pat):
            state = not neg
    return state

whole = [a for k, a in steps if k in ("COPY", "ADD") and any(s.rstrip("/") in (".", "*", "./*") for s in sources(a))]
if whole:
    report(ignores_npmrc(read(sys.argv[2])), ".dockerignore keeps .npmrc away from COPY . .",
           ".npmrc listed in ~/invoices/.dockerignore", "COPY . . would still copy .npmrc into the image")

installs = [a for k, a in steps if k == "RUN" and re.search(r"\bnpm\s+(ci|install|i)\b", a)]
if not installs:
    report(False, "npm ci still runs", "RUN --mount=type=secret,... npm ci --omit=dev", "no RUN with npm ci")
else:
    mounted = [a for a in installs if re.search(r"--mount=(\S*,)?type=secret\b", a)]
    report(bool(mounted), "npm ci gets the credentials from a build secret", "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci ...",
           "RUN " + installs[0][:100])
if not ok:
    print("HINT: build it later with: docker build --secret id=npmrc,src=.npmrc -t invoices:1.0.0 .")
sys.exit(0 if ok else 1)
' "$f" "$ign" </dev/null
