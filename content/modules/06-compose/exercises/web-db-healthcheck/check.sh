# Parses ~/shop/compose.yaml with python3-yaml (never runs it).
f="$LAB_HOME/shop/compose.yaml"
require_file "$f" "~/shop/compose.yaml"
py "$f" <<'PY'
def report(good, what, expected, actual):
    check(good, what, expected, Raw(actual))

doc = require_yaml(sys.argv[1])
web, db = require_services(doc, "web", "db")

# web
b = web.get("build")
report(b == "." or b == "./" or (isinstance(b, dict) and str(b.get("context", ".")).rstrip("/") in (".", "")),
       "web is built from the current folder", "build: .", "build: %r" % (b,))

def published(svc):
    out = []
    for p in svc.get("ports") or []:
        if isinstance(p, dict):
            out.append((str(p.get("published", "")), str(p.get("target", ""))))
        else:
            s = str(p).split("/")[0]
            parts = s.split(":")
            if len(parts) >= 2:
                out.append((parts[-2], parts[-1]))
            else:
                out.append(("", parts[0]))
    return out

pp = published(web)
report(("8000", "8000") in pp, "web publishes container port 8000 on host port 8000", "ports: [\"8000:8000\"]",
       "ports: %s" % (web.get("ports"),))
if any(not isinstance(p, (str, dict)) for p in web.get("ports") or []):
    print("HINT: quote port mappings; YAML may read an unquoted a:b as a number")

dep = web.get("depends_on")
cond = None
if isinstance(dep, dict) and isinstance(dep.get("db"), dict):
    cond = dep["db"].get("condition")
report(cond == "service_healthy", "web waits for db to be healthy", "depends_on: db: condition: service_healthy",
       "depends_on: %r" % (dep,) if dep is not None else "no depends_on")

# db
image = str(db.get("image") or "")
ref = image.split("@")[0].rsplit("/", 1)[-1]
repo, _, tag = ref.partition(":")
report(repo == "postgres" and tag != "latest" and re.search(r"\d", tag) is not None,
       "db uses a versioned postgres image", "image: postgres:17.2", "image: " + (image or "(none)"))

hc = db.get("healthcheck")
test = hc.get("test") if isinstance(hc, dict) else None
flat = " ".join(str(x) for x in test) if isinstance(test, list) else str(test or "")
report(isinstance(hc, dict) and not hc.get("disable") and "pg_isready" in flat,
       "db has a health check that runs pg_isready", "healthcheck: test: [\"CMD\", \"pg_isready\", ...]",
       "healthcheck: %r" % (hc,) if hc else "no healthcheck")
if isinstance(test, list) and test and test[0] not in ("CMD", "CMD-SHELL", "NONE"):
    report(False, "the healthcheck test list starts with CMD or CMD-SHELL", "[\"CMD\", \"pg_isready\", ...]", str(test)[:100])

vols = []
for v in db.get("volumes") or []:
    if isinstance(v, str) and ":" in v:
        src, dst = v.split(":")[0], v.split(":")[1]
        vols.append((src, dst))
    elif isinstance(v, dict):
        vols.append((str(v.get("source", "")), str(v.get("target", ""))))
data = [s for s, t in vols if t.rstrip("/") == "/var/lib/postgresql/data"]
named = bool(data) and data[0] != "" and data[0][0] not in "/.~$"
report(named, "db keeps its data in a named volume", "<name>:/var/lib/postgresql/data",
       data[0] if data else "nothing mounted at /var/lib/postgresql/data")
top = doc.get("volumes")
report(named and isinstance(top, dict) and data[0] in top, "the named volume is declared at the top level",
       "volumes: %s:" % (data[0] if named else "<name>"), "top-level volumes: %s" % (sorted(str(k) for k in top) if isinstance(top, dict) else "none"))
finish()
PY
