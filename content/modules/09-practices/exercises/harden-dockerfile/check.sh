# Static checks of ~/hardening/Dockerfile; nothing is built or run.
f="$LAB_HOME/hardening/Dockerfile"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/hardening/Dockerfile exists | expected: a file | actual: missing (reset the lab to prepare it again)"
  exit 1
fi
echo "PASS: ~/hardening/Dockerfile exists"
python3 - "$f" <<'PY'
import json, re, shlex, sys

LEAKED = "inv_live_4f9c2d7e1b8a6035e2"
SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSW)", re.I)
out = []
def ok(n): out.append(f"PASS: {n}")
def bad(n, e, a): out.append(f"FAIL: {n} | expected: {e} | actual: {a}")

with open(sys.argv[1], "rb") as fh:
    text = fh.read(65536).decode("utf-8", "replace")

# Instructions, with continuation lines joined and comments dropped.
instructions, cur = [], ""
for raw in text.splitlines():
    line = raw.rstrip()
    if not cur and (not line.strip() or line.lstrip().startswith("#")):
        continue
    if cur and line.lstrip().startswith("#"):
        continue
    if line.endswith("\\"):
        cur += line[:-1] + " "
        continue
    cur += line
    parts = cur.strip().split(None, 1)
    instructions.append((parts[0].upper(), parts[1] if len(parts) > 1 else ""))
    cur = ""
if cur.strip():
    parts = cur.strip().split(None, 1)
    instructions.append((parts[0].upper(), parts[1] if len(parts) > 1 else ""))

froms = [i for i, (k, _) in enumerate(instructions) if k == "FROM"]
if not froms:
    bad("the Dockerfile has a FROM", "FROM python:<version>", "no FROM")
    print("\n".join(out)); sys.exit(1)
final = instructions[froms[-1]:]

# 1. Pinned base image(s).
stages = set()
for i in froms:
    words = [w for w in instructions[i][1].split() if not w.startswith("--")]
    ref = words[0] if words else ""
    if len(words) >= 3 and words[1].lower() == "as":
        stages.add(words[2].lower())
    if ref.lower() in stages and not (len(words) >= 3 and words[2].lower() == ref.lower()):
        continue
    name, _, digest = ref.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    if digest.startswith("sha256:"):
        ok(f"FROM {ref} is pinned by digest")
    elif not tag:
        bad(f"FROM {ref} names a version", "an explicit tag such as python:3.12-slim", "no tag (means latest)")
    elif tag == "latest" or not re.search(r"\d", tag):
        bad(f"FROM {ref} names a version", "a tag with a version number", tag)
    else:
        ok(f"FROM {ref} is pinned to a version")
final_words = [w for w in instructions[froms[-1]][1].split() if not w.startswith("--")]
final_ref = final_words[0].lower() if final_words else ""
if final_ref.split("@")[0].split(":")[0].rsplit("/", 1)[-1] != "python" and final_ref not in stages:
    bad("the final stage still builds on python", "FROM python:<version>", final_ref)

# 2. No secrets.
def env_pairs(kind, arg):
    try:
        words = shlex.split(arg)
    except ValueError:
        words = arg.split()
    if kind == "ENV" and words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    pairs = []
    for w in words:
        k, eq, v = w.partition("=")
        pairs.append((k, v if eq else None))
    return pairs

leaks = []
for kind, arg in instructions:
    if kind in ("ENV", "ARG"):
        for k, v in env_pairs(kind, arg):
            if SECRET_NAME.search(k) and not k.upper().endswith("_FILE"):
                if kind == "ARG" or (v or "").strip():
                    leaks.append(f"{kind} {k}")
if LEAKED in text:
    leaks.append("the key's value")
if leaks:
    bad("no secret in the Dockerfile", "no ENV/ARG holding a key, token, secret or password", ", ".join(leaks))
else:
    ok("no secret in ENV, ARG or anywhere in the file")

# 3. Non-root user.
users = [a.strip() for k, a in final if k == "USER"]
runs = " ".join(a for k, a in instructions if k == "RUN")
if not users:
    bad("the final stage sets a USER", "USER <unprivileged user>", "no USER (runs as root)")
else:
    u = users[-1]
    name = u.split(":")[0]
    if name in ("root", "0", ""):
        bad("the last USER is not root", "an unprivileged user", u)
    elif not name.isdigit() and name != "nobody" and not re.search(r"(useradd|adduser)\b[^;&|]*\b" + re.escape(name) + r"\b", runs):
        bad(f"the user {name} exists in the image", f"a RUN with useradd/adduser that creates {name}", "no such RUN")
    else:
        ok(f"the last USER is {u}")

# 4. Health check.
hcs = [a for k, a in final if k == "HEALTHCHECK"]
if not hcs:
    bad("the final stage has a HEALTHCHECK", "HEALTHCHECK ... CMD ... http://127.0.0.1:8000/health", "none")
elif hcs[-1].strip().upper() == "NONE":
    bad("the HEALTHCHECK is active", "HEALTHCHECK CMD ...", "HEALTHCHECK NONE")
elif "/health" not in hcs[-1] or "8000" not in hcs[-1]:
    bad("the HEALTHCHECK asks the service", "a request to http://127.0.0.1:8000/health", hcs[-1][:80])
else:
    ok("HEALTHCHECK asks :8000/health")

# 5. Exec-form CMD.
cmds = [a.strip() for k, a in final if k == "CMD"]
if not cmds:
    bad("the final stage has a CMD", 'CMD ["python", "-m", "invoice", ...]', "none")
else:
    c = cmds[-1]
    try:
        parsed = json.loads(c)
        exec_form = isinstance(parsed, list) and all(isinstance(x, str) for x in parsed)
    except ValueError:
        parsed, exec_form = None, False
    if not exec_form:
        bad("CMD uses the exec form", 'a JSON array: CMD ["python", "-m", "invoice", "--port", "8000"]', c[:80])
    elif not any("invoice" in x for x in parsed):
        bad("CMD still starts the invoice service", "invoice among the arguments", c[:80])
    else:
        ok("CMD is in exec form and starts invoice")
for k, a in final:
    if k == "ENTRYPOINT" and not a.strip().startswith("["):
        bad("ENTRYPOINT uses the exec form", "a JSON array", a[:80])

print("\n".join(out))
sys.exit(1 if any(l.startswith("FAIL") for l in out) else 0)
PY
