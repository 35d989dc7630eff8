# Parses ~/blog/.env and ~/blog/compose.override.yaml (never runs them).
d="$LAB_HOME/blog"
py "$d" <<'PY'
import os, sys
import yaml

d = sys.argv[1]
def report(good, what, expected, actual):
    check(good, what, expected, Raw(actual))

def read(name):
    p = os.path.join(d, name)
    if not os.path.isfile(p):
        return None
    with open(p, "rb") as fh:
        return fh.read(65536).decode("utf-8", "replace")

def load(name):
    text = read(name)
    if text is None:
        return None, "no such file"
    try:
        return yaml.safe_load(text), None
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        return None, ("%s (line %d)" % (getattr(e, "problem", "syntax error"), where.line + 1)) if where else "invalid YAML"

# .env
env = {}
text = read(".env")
report(text is not None, "~/blog/.env exists", "a file of KEY=VALUE lines", "no such file")
for line in (text or "").splitlines()[:500]:
    line = line.strip()
    if not line or line.startswith("#") or "=" not in line:
        continue
    k, _, v = line.partition("=")
    k = k.strip()
    if k.startswith("export "):
        k = k[7:].strip()
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"\x27":
        v = v[1:-1]
    env[k] = v
for key in ("WEB_TAG", "DB_PASSWORD"):
    if text is not None:
        report(env.get(key, "") != "", ".env sets %s" % key, "%s=<a value>" % key, "%s=%s" % (key, env[key]) if key in env else "not set")

# the base file stays as it was
base, err = load("compose.yaml")
base_services = base.get("services") if isinstance(base, dict) else None
web_base = base_services.get("web") if isinstance(base_services, dict) else None
same = isinstance(web_base, dict) and "${WEB_TAG" in str(web_base.get("image", "")) and "build" not in web_base
report(same, "compose.yaml is left production-like", "web pulls the image, no build: in compose.yaml",
       err or "web in compose.yaml was changed")

# the override
ov, err = load("compose.override.yaml")
if ov is None:
    report(False, "~/blog/compose.override.yaml exists and parses", "a YAML compose file", err or "empty file")
    sys.exit(1)
services = ov.get("services") if isinstance(ov, dict) else None
web = services.get("web") if isinstance(services, dict) else None
if not isinstance(web, dict):
    report(False, "the override changes the web service", "services: web: ...", "no web service in compose.override.yaml")
    sys.exit(1)
report(True, "the override changes the web service", "", "")

b = web.get("build")
report(b == "." or b == "./" or (isinstance(b, dict) and str(b.get("context", ".")).rstrip("/") in (".", "")),
       "web is built from the current folder in development", "build: .", "build: %r" % (b,))

binds = []
for v in web.get("volumes") or []:
    if isinstance(v, str):
        binds.append(v.split(":")[0])
    elif isinstance(v, dict):
        binds.append(str(v.get("source", "")))
report(any(s.rstrip("/") in ("./src", "src") for s in binds), "web bind-mounts ./src", "volumes: [\"./src:/app/src\"]",
       "volumes: %s" % (web.get("volumes"),))

ev = web.get("environment")
level = None
if isinstance(ev, dict):
    level = ev.get("LOG_LEVEL")
elif isinstance(ev, list):
    for item in ev:
        k, _, v = str(item).partition("=")
        if k == "LOG_LEVEL":
            level = v
effective = str(level) if level is not None else env.get("LOG_LEVEL", "info")
if effective.startswith("${"):
    effective = env.get("LOG_LEVEL", "info")
report(effective == "debug", "web logs at debug level in development", "LOG_LEVEL debug (override or .env)", "LOG_LEVEL " + effective)

adm = services.get("adminer")
if not isinstance(adm, dict):
    report(False, "the override adds an adminer service", "services: adminer: ...", "no adminer service")
else:
    img = str(adm.get("image", ""))
    report(img.split("@")[0].rsplit("/", 1)[-1].split(":")[0] == "adminer", "the adminer service uses the adminer image",
           "image: adminer:4", "image: " + (img or "(none)"))
    prof = adm.get("profiles")
    report(isinstance(prof, list) and "debug" in [str(p) for p in prof], "adminer only starts with the debug profile",
           "profiles: [debug]", "profiles: %r" % (prof,))
finish()
PY
