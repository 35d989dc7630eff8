# Reads ~/bookshop/services.yaml (parsed, never run) against the answers.
f="$LAB_HOME/bookshop/services.yaml"
require_file "$f" "~/bookshop/services.yaml"
py "$f" <<'PY'
want = {"web": "stateless", "catalogue-api": "stateless", "orders-db": "stateful",
        "uploads": "stateful", "queue": "stateful", "thumbnailer": "stateless"}
doc = load_yaml(sys.argv[1], "services.yaml")
services = d(d(doc).get("services"))
for name, state in want.items():
    got = d(services.get(name)).get("state")
    check(got == state, "%s is %s" % (name, state), "state: " + state, "state: %s" % got,
          None if got is None else "ask: would its data be gone if the container were?")
PY
