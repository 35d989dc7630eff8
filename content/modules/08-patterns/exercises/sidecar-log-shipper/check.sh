# Static check of ~/sidecar/pod.yaml: parsed with python3 + yaml, never applied.
f="$LAB_HOME/sidecar/pod.yaml"
require_file "$f" "~/sidecar/pod.yaml"
# The real Kubernetes schemas first: the API server would refuse what they refuse.
valid_k8s "$f"
schema=$?
py "$f" <<'PY'
doc = d(require_yaml(sys.argv[1]))
check_kind(doc, "v1", "Pod")
spec = d(doc.get("spec"))

empty = {v.get("name") for v in lst(spec.get("volumes")) if "emptyDir" in v and v.get("name")}
if empty:
    ok("an emptyDir volume: %s" % ", ".join(sorted(map(str, empty))))
else:
    bad("the pod declares an emptyDir volume", "spec.volumes: - name: logs, emptyDir: {}", spec.get("volumes"),
        "volumes sits under spec, at the same level as containers")

cs = {c.get("name"): c for c in lst(spec.get("containers"))}
app, ship = cs.get("app"), cs.get("log-shipper")
if app is None:
    bad("a container named app", "app", Raw(", ".join(map(str, cs)) or "no containers"))
if ship is None:
    bad("a container named log-shipper", "log-shipper", Raw(", ".join(map(str, cs)) or "no containers"),
        "the sidecar is a second item in the same containers list")
if app is None or ship is None:
    sys.exit(1)
ok("two containers: app and log-shipper")
if len(cs) != 2:
    print("HINT: there are %d containers; two are enough here" % len(cs))

def mounts(c):
    return [m for m in lst(c.get("volumeMounts")) if m.get("name") in empty]
am = [m for m in mounts(app) if str(m.get("mountPath", "")).rstrip("/") == "/var/log/nginx"]
if am:
    ok("app mounts the emptyDir at /var/log/nginx")
else:
    bad("app mounts the emptyDir at /var/log/nginx", "volumeMounts: - name: <the emptyDir>, mountPath: /var/log/nginx",
        app.get("volumeMounts"))
shared = [m for m in mounts(ship) if am and m.get("name") == am[0].get("name")]
if shared:
    ok("log-shipper mounts the same volume (%s at %s)" % (shared[0].get("name"), shared[0].get("mountPath")))
else:
    bad("log-shipper mounts the same volume as app", "a volumeMount with the same name", ship.get("volumeMounts"),
        "what links two containers is the volume name, not the mount path")
if shared and shared[0].get("readOnly") is True:
    ok("the sidecar's mount is readOnly")
elif shared:
    bad("the sidecar's mount is readOnly", "readOnly: true", shared[0].get("readOnly"))

if pinned(ship.get("image")):
    ok("log-shipper uses a pinned image (%s)" % ship.get("image"))
else:
    bad("log-shipper uses a pinned image", "like busybox:1.36", ship.get("image"))

line = command_words(ship)
mp = str(shared[0].get("mountPath", "")).rstrip("/") if shared else ""
if not line:
    bad("log-shipper runs a command", 'command: ["tail", "-F", "/logs/access.log"]', Raw("no command or args"),
        "without a command, busybox runs sh, which exits at once")
elif mp and (mp + "/") in line:
    ok("log-shipper reads a file under its mount (%s)" % line[:80])
else:
    bad("log-shipper reads a file under its own mount path", "a path under %s" % (mp or "its mount"), line)

sys.exit(1 if fails else 0)
PY
checks=$?
[ "$checks" -eq 0 ] && [ "$schema" -eq 0 ]
