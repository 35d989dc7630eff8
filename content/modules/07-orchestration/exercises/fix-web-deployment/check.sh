# Static check of ~/k8s/web-deployment.yaml: parsed with python3 + yaml, never applied.
f="$LAB_HOME/k8s/web-deployment.yaml"
require_file "$f" "~/k8s/web-deployment.yaml"
# The real Kubernetes schemas first: the API server would refuse what they refuse.
valid_k8s "$f"
schema=$?
py "$f" <<'PY'
doc = require_yaml(sys.argv[1])
if not isinstance(doc, dict):
    bad("the file holds one object", "a Deployment mapping", type(doc).__name__)
    sys.exit(1)

if doc.get("apiVersion") == "apps/v1" and doc.get("kind") == "Deployment" and d(doc.get("metadata")).get("name") == "web":
    ok("an apps/v1 Deployment named web")
else:
    bad("an apps/v1 Deployment named web", "apiVersion: apps/v1, kind: Deployment, name: web",
        "%s %s %s" % (doc.get("apiVersion"), doc.get("kind"), d(doc.get("metadata")).get("name")))

spec = d(doc.get("spec"))
replicas = spec.get("replicas")
if replicas == 3 and not isinstance(replicas, bool):
    ok("replicas is 3")
else:
    bad("replicas is 3", 3, replicas)

sel = d(d(spec.get("selector")).get("matchLabels"))
tmpl = d(spec.get("template"))
labels = d(d(tmpl.get("metadata")).get("labels"))
def fmt(m):
    return ", ".join("%s=%s" % (k, v) for k, v in m.items()) or "none"
if not sel:
    bad("the selector has matchLabels", "selector: matchLabels: app: web", spec.get("selector"))
elif all(labels.get(k) == v for k, v in sel.items()):
    ok("the selector (%s) matches the template labels (%s)" % (fmt(sel), fmt(labels)))
else:
    bad("the selector matches the template labels", "every selector label on the template",
        Raw("selector %s, template %s" % (fmt(sel), fmt(labels))),
        "the API server would answer: `selector` does not match template `labels`")
if sel and (sel.get("app") != "web" or labels.get("app") != "web"):
    bad("the pods keep the label app=web", "app: web in the selector and in the template",
        Raw("selector %s, template %s" % (fmt(sel), fmt(labels))))

containers = d(tmpl.get("spec")).get("containers")
web = None
if isinstance(containers, list):
    for c in containers:
        if isinstance(c, dict) and c.get("name") == "web":
            web = c
if web is None:
    bad("the template has a container named web", "containers: - name: web", containers)
    sys.exit(1)
ok("the template has a container named web")

check_pinned(web.get("image"), "web", "nginx:1.27-alpine")

res = d(web.get("resources"))
req, lim = d(res.get("requests")), d(res.get("limits"))
if not res:
    bad("web has resources", "resources: requests and limits", web.get("resources"),
        "resources goes inside the container, next to image and ports")
else:
    cpu_req = quantity(req.get("cpu"))
    mem_req = quantity(req.get("memory"))
    mem_lim = quantity(lim.get("memory"))
    if cpu_req is not None:
        ok("requests.cpu is set (%s)" % req.get("cpu"))
    else:
        bad("requests.cpu is a CPU quantity", "like 100m or 0.5", req.get("cpu"))
    if mem_req is not None:
        ok("requests.memory is set (%s)" % req.get("memory"))
    else:
        bad("requests.memory is a memory quantity", "like 64Mi", req.get("memory"))
    if mem_lim is None:
        bad("limits.memory is a memory quantity", "like 128Mi", lim.get("memory"))
    elif mem_req is not None and mem_lim < mem_req:
        bad("limits.memory is at least requests.memory", ">= %s" % req.get("memory"), lim.get("memory"))
    else:
        ok("limits.memory is set (%s)" % lim.get("memory"))
    if "cpu" in lim and quantity(lim.get("cpu")) is None:
        bad("limits.cpu is a CPU quantity", "like 500m", lim.get("cpu"))

ports = web.get("ports") if isinstance(web.get("ports"), list) else []
names = {p.get("name") for p in ports if isinstance(p, dict) and p.get("name")}
numbers = {p.get("containerPort") for p in ports if isinstance(p, dict)}
probe = d(web.get("readinessProbe"))
get = d(probe.get("httpGet"))
if not probe:
    bad("web has a readinessProbe", "readinessProbe: httpGet: ...", web.get("readinessProbe"),
        "a livenessProbe is a different probe: this one must be called readinessProbe")
elif not get:
    bad("the readinessProbe uses httpGet", "httpGet: {path: /, port: http}", probe)
else:
    port = get.get("port")
    if (isinstance(port, int) and port in numbers) or (isinstance(port, str) and (port in names or (port.isdigit() and int(port) in numbers))):
        ok("the probe targets the container's port (%s)" % port)
    else:
        bad("the probe targets the container's port", "80 or http", port)
    if get.get("path") == "/":
        ok("the probe asks for the path /")
    else:
        bad("the probe asks for the path /", "/", get.get("path"))

sys.exit(1 if fails else 0)
PY
checks=$?
[ "$checks" -eq 0 ] && [ "$schema" -eq 0 ]
