# Static check of ~/job/report-job.yaml: parsed with python3 + yaml, never applied.
f="$LAB_HOME/job/report-job.yaml"
require_file "$f" "~/job/report-job.yaml"
# The real Kubernetes schemas first: the API server would refuse what they refuse.
valid_k8s "$f"
schema=$?
py "$f" <<'PY'
doc = d(require_yaml(sys.argv[1], hint="check the indentation: the moved item must line up under initContainers"))
check_kind(doc, "batch/v1", "Job")
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
    words = command_words(ship)
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
