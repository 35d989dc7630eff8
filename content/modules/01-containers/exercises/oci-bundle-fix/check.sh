# Validates ~/bundle/config.json as an OCI runtime configuration: the uts
# namespace, the host name and the pids limit added, nothing else lost.
file="$LAB_HOME/bundle/config.json"
if [ ! -f "$file" ]; then
  echo "FAIL: ~/bundle/config.json exists | expected: the bundle's configuration | actual: no such file"
  echo "HINT: reset the lab to get the bundle back"
  exit 1
fi
echo "PASS: ~/bundle/config.json exists"
python3 - "$file" <<'PY'
import json, sys

def out(ok, what, expected="", actual=""):
    if ok:
        print(f"PASS: {what}")
    else:
        print(f"FAIL: {what} | expected: {expected} | actual: {actual}")
    return ok

with open(sys.argv[1], "rb") as f:
    raw = f.read(65537)
if len(raw) > 65536:
    out(False, "config.json is a reasonable size", "under 64 KiB", "larger")
    sys.exit(1)
try:
    doc = json.loads(raw.decode("utf-8"))
except (ValueError, UnicodeDecodeError) as e:
    out(False, "config.json is valid JSON", "a JSON document", str(e)[:120])
    print("HINT: `jq . ~/bundle/config.json` points at the line with the syntax error")
    sys.exit(1)
if not isinstance(doc, dict):
    out(False, "config.json is a JSON object", "an object {...}", type(doc).__name__)
    sys.exit(1)
out(True, "config.json is valid JSON")

linux = doc.get("linux") if isinstance(doc.get("linux"), dict) else {}
spaces = linux.get("namespaces") if isinstance(linux.get("namespaces"), list) else []
types = [n.get("type") for n in spaces if isinstance(n, dict)]
ok = True

ok &= out("uts" in types, "linux.namespaces has a uts namespace",
          '{"type": "uts"} in the list', ", ".join(map(str, types)) or "(none)")
lost = [t for t in ("pid", "network", "ipc", "mount") if t not in types]
ok &= out(not lost, "the pid, network, ipc and mount namespaces are kept",
          "all four", "missing " + ", ".join(lost) if lost else "")
dups = sorted({t for t in types if types.count(t) > 1})
ok &= out(not dups, "each namespace type appears once", "no duplicates",
          "duplicated " + ", ".join(map(str, dups)))

host = doc.get("hostname")
if not out(host == "web-1", "hostname is web-1", "web-1", json.dumps(host)[:60]):
    ok = False
    if host is None and isinstance(linux.get("hostname"), str):
        print("HINT: hostname belongs at the top level of the document, next to ociVersion, not inside linux")

res = linux.get("resources") if isinstance(linux.get("resources"), dict) else {}
pids = res.get("pids") if isinstance(res.get("pids"), dict) else {}
limit = pids.get("limit")
if not out(limit == 64 and not isinstance(limit, bool), "linux.resources.pids.limit is 64",
           "64 (a number)", json.dumps(limit)[:60]):
    ok = False
    if limit == "64":
        print("HINT: write the limit as a number, 64, not as a string \"64\"")

mem = res.get("memory") if isinstance(res.get("memory"), dict) else {}
ok &= out(mem.get("limit") == 134217728, "the memory limit is unchanged",
          "134217728", json.dumps(mem.get("limit"))[:60])
proc = doc.get("process") if isinstance(doc.get("process"), dict) else {}
args = proc.get("args")
ok &= out(args == ["nginx", "-g", "daemon off;"], "the process arguments are unchanged",
          '["nginx", "-g", "daemon off;"]', json.dumps(args)[:80])
sys.exit(0 if ok else 1)
PY
