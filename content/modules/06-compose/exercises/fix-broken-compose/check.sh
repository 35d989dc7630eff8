# Parses ~/guestbook/compose.yaml with python3-yaml (never runs it).
f="$LAB_HOME/guestbook/compose.yaml"
require_file "$f" "~/guestbook/compose.yaml"
py "$f" <<'PY'
from urllib.parse import urlsplit

def report(good, what, expected, actual):
    check(good, what, expected, Raw(actual))

doc = require_yaml(sys.argv[1], hint="all keys of one service start in the same column; indent with spaces only")
web, db = require_services(doc, "web", "db")
services = doc["services"]

def env_of(svc):
    env = svc.get("environment")
    if isinstance(env, dict):
        return {str(k): "" if v is None else str(v) for k, v in env.items()}
    if isinstance(env, list):
        out = {}
        for item in env:
            k, _, v = str(item).partition("=")
            out[k] = v
        return out
    return {}

url = env_of(web).get("DATABASE_URL", "")
try:
    host = urlsplit(url).hostname
except ValueError:
    host = None
report(host == "db", "web finds the database by its service name", "DATABASE_URL with host db", "host %s" % (host or "(none)"))

def mounts(svc):
    out = []
    for v in svc.get("volumes") or []:
        if isinstance(v, str):
            parts = v.split(":")
            if len(parts) >= 2:
                out.append((parts[0], parts[1]))
        elif isinstance(v, dict) and v.get("type", "volume") == "volume" and v.get("source"):
            out.append((str(v.get("source")), str(v.get("target", ""))))
    return out

def is_named(src):
    return not (src.startswith("/") or src.startswith(".") or src.startswith("~") or src.startswith("$"))

top_vols = doc.get("volumes") if isinstance(doc.get("volumes"), dict) else {}
data = [s for s, t in mounts(db) if t.rstrip("/") == "/var/lib/postgresql/data"]
report(bool(data) and is_named(data[0]), "db keeps its data in a named volume", "db-data:/var/lib/postgresql/data",
       data[0] if data else "nothing mounted at /var/lib/postgresql/data")
undeclared = sorted({s for svc in services.values() if isinstance(svc, dict) for s, t in mounts(svc) if is_named(s) and s not in top_vols})
report(not undeclared, "every named volume is declared at the top level", "volumes: db-data:", "undeclared: " + ", ".join(undeclared))

def nets(svc):
    n = svc.get("networks")
    if n is None:
        return {"default"}
    if isinstance(n, list):
        return {str(x) for x in n}
    if isinstance(n, dict):
        return {str(x) for x in n}
    return set()

top_nets = doc.get("networks") if isinstance(doc.get("networks"), dict) else {}
shared = nets(web) & nets(db)
report(bool(shared), "web and db share a network", "at least one network in common",
       "web: %s, db: %s" % (sorted(nets(web)), sorted(nets(db))))
missing = sorted({x for svc in services.values() if isinstance(svc, dict) for x in nets(svc) if x != "default" and x not in top_nets})
report(not missing, "every network a service uses is declared", "declared under networks:", "undeclared: " + ", ".join(missing))
if "version" in doc:
    print("HINT: the version: key is obsolete; current Compose ignores it")
finish()
PY
