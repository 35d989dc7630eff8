# Reads ~/webshop/.dockerignore and applies Docker's matching rules to a few paths.
f="$LAB_HOME/webshop/.dockerignore"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/webshop/.dockerignore exists | expected: a file | actual: no such file"
  echo "HINT: the file goes at the root of the build context, next to the Dockerfile"
  exit 1
fi
echo "PASS: ~/webshop/.dockerignore exists"
python3 -c '
import re, sys

def compile_pattern(p):
    # Docker cleans each pattern like a path: no leading "/" or "./", no trailing "/".
    p = re.sub(r"/+", "/", p)
    while p.startswith("./"):
        p = p[2:]
    p = p.strip("/")
    if not p or p == ".":
        return None
    rx, i = "", 0
    while i < len(p):
        c = p[i]
        if p.startswith("**/", i):
            rx += "(?:.*/)?"
            i += 3
            continue
        if p.startswith("**", i):
            rx += ".*"
            i += 2
            continue
        if c == "*":
            rx += "[^/]*"
        elif c == "?":
            rx += "[^/]"
        elif c == "[":
            j = p.find("]", i + 1)
            if j == -1:
                rx += re.escape(c)
            else:
                body = p[i + 1:j]
                if body.startswith("^") or body.startswith("!"):
                    body = "^" + body[1:]
                rx += "[" + body.replace("\\", "\\\\") + "]"
                i = j
        elif c == "\\" and i + 1 < len(p):
            i += 1
            rx += re.escape(p[i])
        else:
            rx += re.escape(c)
        i += 1
    try:
        return re.compile("^" + rx + "$")
    except re.error:
        return None

rules = []
with open(sys.argv[1], "rb") as fh:
    text = fh.read(65536).decode("utf-8", "replace")
for line in text.splitlines()[:2000]:
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    neg = line.startswith("!")
    if neg:
        line = line[1:].strip()
    rx = compile_pattern(line)
    if rx is not None:
        rules.append((neg, rx))

def excluded(path):
    # Like Docker: a rule hits a path when it matches the path or one of its
    # parent folders; the last rule that hits decides ("!" re-includes).
    parts = path.split("/")
    prefixes = ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
    state = False
    for neg, rx in rules:
        if any(rx.match(p) for p in prefixes):
            state = not neg
    return state

ok = True
for path, label in [(".git/HEAD", ".git"), ("node_modules/left-pad/index.js", "node_modules"), (".env", ".env")]:
    if excluded(path):
        print("PASS: %s is left out of the build context" % label)
    else:
        ok = False
        print("FAIL: %s is left out of the build context | expected: excluded | actual: still sent to the builder" % label)
for path in ["server.js", "package.json", "package-lock.json"]:
    if excluded(path):
        ok = False
        print("FAIL: %s still reaches the build context | expected: included | actual: excluded by a pattern" % path)
    else:
        print("PASS: %s still reaches the build context" % path)
if not ok:
    print("HINT: one pattern per line, e.g. .git, node_modules and .env; a leading ! re-includes a path")
sys.exit(0 if ok else 1)
' "$f" </dev/null
