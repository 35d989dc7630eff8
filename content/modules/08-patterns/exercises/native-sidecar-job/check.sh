# Static check of ~/job/report-job.yaml: parsed with python3 + yaml, never applied.
f="$LAB_HOME/job/report-job.yaml"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/job/report-job.yaml exists | expected: a file | actual: no such file"
  echo "HINT: Reset the lab to get the starting file back"
  exit 1
fi
echo "PASS: ~/job/report-job.yaml exists"
# The real Kubernetes schemas first: the API server would refuse what they refuse.
valid_k8s "$f"
schema=$?
py "$f" <<'PY'
import re, sys
import yaml

def quantity(v):
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return v > 0
    return isinstance(v, str) and re.fullmatch(r"\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?", v.strip()) is not None

try:
    with open(sys.argv[1], "rb") as fh:
        doc = yaml.safe_load(fh.read(65536).decode("utf-8", "replace"))
except Exception as e:
    bad("the file is valid YAML", "YAML that parses", str(e).splitlines()[0] if str(e) else "a parse error",
        "check the indentation: the moved item must line up under initContainers")
    sys.exit(1)
doc = d(doc)
if doc.get("apiVersion") == "batch/v1" and doc.get("kind") == "Job":
    ok("a batch/v1 Job")
else:
    bad("a batch/v1 Job", "apiVersion: batch/v1, kind: Job", Raw("%s %s" % (doc.get("apiVersion"), doc.get("kind"))))
pod = d(d(d(doc.get("spec")).get("template")).get("spec"))

rp = pod.get("restartPolicy")
if rp in ("Never", "OnFailure"):
    ok("the pod's restartPolicy is %s" % rp)
else:
    bad("the pod's restartPolicy is Never or OnFailure", "Never", rp,
        "restartPolicy: Always belongs on the sidecar container, not on the Job's pod")

main = lst(pod.get("containers"))
init = lst(pod.get("initContainers"))
main_names = [c.get("name") for c in main]
if main_names == ["report"]:
    ok("report is the only regular container")
else:
    bad("report is the only regular container", "containers: [report]", Raw(", ".join(map(str, main_names)) or "none"),
        "a regular log-shipper never exits, so the Job's pod would never complete")

ship = next((c for c in init if c.get("name") == "log-shipper"), None)
if ship is None:
    bad("log-shipper is in initContainers", "initContainers: - name: log-shipper",
        Raw(", ".join(str(c.get("name")) for c in init) or "no initContainers"))
else:
    ok("log-shipper is in initContainers")
    if ship.get("restartPolicy") == "Always":
        ok("log-shipper has restartPolicy: Always (a native sidecar)")
    else:
        bad("log-shipper has restartPolicy: Always", "Always", ship.get("restartPolicy"),
            "without it, the kubelet waits for log-shipper to exit before starting report, which never happens")
    vols = {v.get("name") for v in lst(pod.get("volumes"))}
    mounts = [m for m in lst(ship.get("volumeMounts")) if m.get("name") in vols]
    words = " ".join(str(x) for k in ("command", "args") for x in (ship.get(k) if isinstance(ship.get(k), list) else [ship.get(k)] if ship.get(k) else []))
    if mounts and "report.log" in words:
        ok("log-shipper still follows report.log through the shared volume")
    else:
        bad("log-shipper keeps its command and volume mount", "tail -F /logs/report.log with the logs volume mounted",
            Raw("%s; mounts %s" % (words or "no command", ", ".join(str(m.get("name")) for m in mounts) or "none")))

for c in main + init:
    name = c.get("name")
    res = d(c.get("resources"))
    req, lim = d(res.get("requests")), d(res.get("limits"))
    missing = [k for k, v in (("requests.cpu", req.get("cpu")), ("requests.memory", req.get("memory")),
                              ("limits.memory", lim.get("memory"))) if not quantity(v)]
    if not missing:
        ok("%s has requests.cpu, requests.memory and limits.memory" % name)
    else:
        bad("%s has requests and a memory limit" % name, "requests.cpu, requests.memory, limits.memory",
            Raw("missing or invalid: " + ", ".join(missing)))

sys.exit(1 if fails else 0)
PY
checks=$?
[ "$checks" -eq 0 ] && [ "$schema" -eq 0 ]
