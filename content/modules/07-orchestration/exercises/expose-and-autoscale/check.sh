# Static check of ~/k8s/api-service.yaml and ~/k8s/api-hpa.yaml against the api Deployment.
svc="$LAB_HOME/k8s/api-service.yaml"
hpa="$LAB_HOME/k8s/api-hpa.yaml"
missing=0
for f in "$svc" "$hpa"; do
  short="~/k8s/${f##*/}"
  if [ -f "$f" ]; then
    echo "PASS: $short exists"
  else
    echo "FAIL: $short exists | expected: a file | actual: no such file"
    missing=1
  fi
done
[ "$missing" = 0 ] || exit 1
# The real Kubernetes schemas first: the API server would refuse what they refuse.
valid_k8s "$svc" "$hpa"
schema=$?
py "$svc" "$hpa" <<'PY'
import re, sys
import yaml

# The pods of the Deployment the lab provides (setup writes it; learners should not change it).
POD_LABELS = {"app": "api", "tier": "backend", "release": "1.8"}
PORT_NAMES, PORT_NUMBERS = {"http"}, {8080}

def num(v):
    return v if isinstance(v, int) and not isinstance(v, bool) else None

def load(path, kind, label):
    try:
        with open(path, "rb") as fh:
            docs = [x for x in yaml.safe_load_all(fh.read(65536).decode("utf-8", "replace")) if x is not None]
    except Exception as e:
        bad("%s is valid YAML" % label, "YAML that parses", str(e).splitlines()[0] if str(e) else "a parse error")
        return None
    for x in docs:
        if isinstance(x, dict) and x.get("kind") == kind:
            return x
    bad("%s holds a %s" % (label, kind), "kind: " + kind,
        Raw(", ".join(str(d(x).get("kind")) for x in docs) or "nothing"))
    return None

s = load(sys.argv[1], "Service", "~/k8s/api-service.yaml")
if s is not None:
    if s.get("apiVersion") == "v1" and d(s.get("metadata")).get("name") == "api":
        ok("a v1 Service named api")
    else:
        bad("a v1 Service named api", "apiVersion: v1, name: api",
            Raw("%s %s" % (s.get("apiVersion"), d(s.get("metadata")).get("name"))))
    spec = d(s.get("spec"))
    t = spec.get("type", "ClusterIP")
    if t == "ClusterIP":
        ok("type is ClusterIP")
    else:
        bad("type is ClusterIP", "ClusterIP (or no type: it is the default)", t)
    sel = d(spec.get("selector"))
    if not sel:
        bad("the Service has a selector", "selector: app: api ...", spec.get("selector"),
            "without a selector the Service sends traffic nowhere")
    elif all(POD_LABELS.get(k) == v for k, v in sel.items()):
        ok("the selector matches the api pods (%s)" % ", ".join("%s=%s" % kv for kv in sel.items()))
        if "release" in sel:
            print("HINT: it works, but selecting on release means the Service loses the pods when the next version ships")
    else:
        bad("the selector matches the api pods", "labels from the pod template: app=api, tier=backend",
            Raw(", ".join("%s=%s" % kv for kv in sel.items())),
            "the Deployment's own name or metadata.labels do not matter: the pods carry the template's labels")
    ports = spec.get("ports") if isinstance(spec.get("ports"), list) else []
    p80 = [p for p in ports if isinstance(p, dict) and num(p.get("port")) == 80]
    if not p80:
        bad("the Service listens on port 80", "ports: - port: 80", spec.get("ports"))
    else:
        ok("the Service listens on port 80")
        tp = p80[0].get("targetPort")
        if (num(tp) in PORT_NUMBERS) or (isinstance(tp, str) and tp in PORT_NAMES):
            ok("targetPort reaches the container (%s)" % tp)
        else:
            bad("targetPort reaches the container", "8080 or http", tp,
                "without targetPort, traffic goes to port 80 in the pod, where nothing listens")

h = load(sys.argv[2], "HorizontalPodAutoscaler", "~/k8s/api-hpa.yaml")
if h is not None:
    if h.get("apiVersion") == "autoscaling/v2" and d(h.get("metadata")).get("name") == "api":
        ok("an autoscaling/v2 HorizontalPodAutoscaler named api")
    else:
        bad("an autoscaling/v2 HorizontalPodAutoscaler named api", "apiVersion: autoscaling/v2, name: api",
            Raw("%s %s" % (h.get("apiVersion"), d(h.get("metadata")).get("name"))))
    spec = d(h.get("spec"))
    ref = d(spec.get("scaleTargetRef"))
    if ref.get("apiVersion") == "apps/v1" and ref.get("kind") == "Deployment" and ref.get("name") == "api":
        ok("it targets the Deployment api")
    else:
        bad("it targets the Deployment api", "scaleTargetRef: apps/v1 Deployment api",
            Raw("%s %s %s" % (ref.get("apiVersion"), ref.get("kind"), ref.get("name"))))
    lo, hi = num(spec.get("minReplicas")), num(spec.get("maxReplicas"))
    if lo == 2 and hi == 10:
        ok("between 2 and 10 replicas")
    else:
        bad("between 2 and 10 replicas", "minReplicas: 2, maxReplicas: 10",
            Raw("minReplicas %s, maxReplicas %s" % (spec.get("minReplicas"), spec.get("maxReplicas"))))
    found = None
    for m in spec.get("metrics") if isinstance(spec.get("metrics"), list) else []:
        r = d(d(m).get("resource"))
        tg = d(r.get("target"))
        if d(m).get("type") == "Resource" and r.get("name") == "cpu":
            found = tg
    if found is None:
        bad("a CPU metric", "metrics: - type: Resource, resource: name: cpu", spec.get("metrics"),
            "autoscaling/v2 puts the target in metrics; targetCPUUtilizationPercentage belongs to the old v1")
    elif found.get("type") == "Utilization" and num(found.get("averageUtilization")) == 70:
        ok("target: 70% average CPU utilisation")
    else:
        bad("target: 70% average CPU utilisation", "target: {type: Utilization, averageUtilization: 70}", found)

sys.exit(1 if fails else 0)
PY
checks=$?
[ "$checks" -eq 0 ] && [ "$schema" -eq 0 ]
