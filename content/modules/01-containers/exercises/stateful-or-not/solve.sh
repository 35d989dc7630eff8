python3 - "$HOME/bookshop/services.yaml" <<'PY'
import sys, yaml
path = sys.argv[1]
doc = yaml.safe_load(open(path))
for name, svc in doc["services"].items():
    svc["state"] = "stateful" if name in ("orders-db", "uploads", "queue") else "stateless"
open(path, "w").write(yaml.safe_dump(doc, sort_keys=False))
PY
