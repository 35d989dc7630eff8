# Static check of ~/init/pod.yaml and ~/init/compose.yaml: parsed with python3 + yaml, never run.
pod="$LAB_HOME/init/pod.yaml"
compose="$LAB_HOME/init/compose.yaml"
require_file "$pod" "~/init/pod.yaml"
require_file "$compose" "~/init/compose.yaml"
# The real Kubernetes schemas first: the API server would refuse what they refuse.
valid_k8s "$pod"
schema=$?
py "$pod" "$compose" <<'PY'
# --- the pod
pod = load_yaml(sys.argv[1], "~/init/pod.yaml")
if pod is not None:
    spec = d(d(pod).get("spec"))
    inits = lst(spec.get("initContainers"))
    names = [c.get("name") for c in inits]
    apps = [c.get("name") for c in lst(spec.get("containers"))]
    if not inits:
        bad("pod.yaml has initContainers", "initContainers: [wait-for-db, migrate]", spec.get("initContainers"),
            "initContainers sits under spec, next to containers")
    elif names[:2] == ["wait-for-db", "migrate"]:
        ok("init containers run in order: wait-for-db, then migrate")
    else:
        bad("init containers run in order: wait-for-db, then migrate", "wait-for-db, migrate",
            Raw(", ".join(map(str, names))), "init containers run one after another, in list order")
    if "app" in apps and "app" not in names:
        ok("app is still a regular container")
    else:
        bad("app is still a regular container", "containers: - name: app", Raw("containers: %s" % ", ".join(map(str, apps))))
    byname = {c.get("name"): c for c in inits}
    w, m = byname.get("wait-for-db"), byname.get("migrate")
    if w is not None:
        cmd = command_words(w)
        if not pinned(w.get("image")):
            bad("wait-for-db uses a pinned image", "like busybox:1.36", w.get("image"))
        elif re.search(r"\bdb\b", cmd) and "5432" in cmd:
            ok("wait-for-db waits for db:5432 (%s)" % cmd[:70])
        else:
            bad("wait-for-db waits for db on port 5432", "a command mentioning db and 5432", Raw(cmd or "no command"))
    if m is not None:
        if m.get("image") == "ghcr.io/example/shop:2.4.0" and "./manage migrate" in command_words(m):
            ok("migrate runs ./manage migrate with the app's image")
        else:
            bad("migrate runs ./manage migrate with the app's image", "ghcr.io/example/shop:2.4.0, [./manage, migrate]",
                Raw("%s, %s" % (m.get("image"), command_words(m) or "no command")))
    for c in inits:
        if c.get("restartPolicy") == "Always":
            bad("%s is a plain init container" % c.get("name"), "no restartPolicy: Always", Raw("restartPolicy: Always"),
                "restartPolicy: Always turns an init container into a sidecar that never completes")

# --- the compose file
comp = load_yaml(sys.argv[2], "~/init/compose.yaml")
if comp is not None:
    svcs = d(d(comp).get("services"))
    def cond(svc, dep):
        dd = svcs.get(svc, {}).get("depends_on") if isinstance(svcs.get(svc), dict) else None
        if isinstance(dd, dict):
            return d(dd.get(dep)).get("condition", "service_started") if dep in dd else None
        if isinstance(dd, list) and dep in dd:
            return "service_started"
        return None
    db = d(svcs.get("db"))
    test = d(db.get("healthcheck")).get("test")
    if test and d(db.get("healthcheck")).get("disable") is not True:
        ok("db has a healthcheck")
    else:
        bad("db has a healthcheck", 'healthcheck: test: ["CMD-SHELL", "pg_isready -U postgres"]', db.get("healthcheck"))
    c = cond("migrate", "db")
    if c == "service_healthy":
        ok("migrate waits for db to be healthy")
    else:
        bad("migrate waits for db to be healthy", "depends_on: db: condition: service_healthy", c,
            "the short list form only means service_started")
    c = cond("app", "migrate")
    if c == "service_completed_successfully":
        ok("app starts only after migrate exited with status 0")
    else:
        bad("app starts only after migrate completed successfully",
            "depends_on: migrate: condition: service_completed_successfully", c)

sys.exit(1 if fails else 0)
PY
checks=$?
[ "$checks" -eq 0 ] && [ "$schema" -eq 0 ]
