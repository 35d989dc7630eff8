# Static check of ~/ambassador/compose.yaml: parsed with python3 + yaml, never run.
f="$LAB_HOME/ambassador/compose.yaml"
require_file "$f" "~/ambassador/compose.yaml"
py "$f" <<'PY'
REMOTE = "cache.prod.example.net"
def strings(v):
    """Every string inside a YAML value (keys and values)."""
    if isinstance(v, dict):
        for k, x in v.items():
            yield str(k)
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
    elif v is not None:
        yield str(v)
def env_values(svc):
    e = svc.get("environment")
    if isinstance(e, dict):
        return [str(v) for v in e.values() if v is not None]
    if isinstance(e, list):
        return [str(x).split("=", 1)[1] for x in e if "=" in str(x)]
    return []

doc = require_yaml(sys.argv[1], hint="check the indentation, and quote values that contain a colon")
app, amb = require_services(doc, "app", "ambassador", hint="add it under services:, at the same indentation as app")
check_pinned(amb.get("image"), "the ambassador", "like alpine/socat:1.8.0.3")

nm = amb.get("network_mode")
if isinstance(nm, str) and nm.strip() == "service:app":
    ok('the ambassador shares app\'s network (network_mode: "service:app")')
else:
    bad("the ambassador shares app's network", '"service:app"', nm,
        "without it the ambassador has its own localhost, which app cannot reach")
if amb.get("ports"):
    bad("the ambassador publishes no ports", "no ports: (publish on app instead)", amb.get("ports"),
        "a container that shares another's network cannot publish ports of its own")
else:
    ok("the ambassador publishes no ports")
if amb.get("networks"):
    bad("the ambassador has no networks: key", "network_mode only", amb.get("networks"),
        "network_mode and networks cannot be combined")

amb_text = " ".join(strings({k: amb.get(k) for k in ("command", "entrypoint", "environment")}))
if REMOTE + ":6379" in amb_text or (REMOTE in amb_text and "6379" in amb_text):
    ok("the ambassador forwards to %s:6379" % REMOTE)
else:
    bad("the ambassador forwards to %s:6379" % REMOTE, "the remote address in its command or environment",
        Raw(amb_text[:100] or "no command"))

vals = env_values(app)
local = [v for v in vals if re.search(r"(localhost|127\.0\.0\.1):6379\b", v)]
if local:
    ok("app reaches the cache at %s" % local[0][:60])
else:
    bad("app reaches the cache on localhost:6379", "CACHE_ADDR: localhost:6379", Raw(", ".join(vals)[:100] or "no environment"))
if any(REMOTE in s for s in strings(app)):
    bad("app no longer knows the remote host", "no mention of %s in app" % REMOTE, Raw("still mentioned"),
        "only the ambassador should know where the cache really is")
else:
    ok("app no longer mentions %s" % REMOTE)

sys.exit(1 if fails else 0)
PY
