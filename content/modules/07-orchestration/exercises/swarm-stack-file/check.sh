# Static check of ~/swarm/stack.yaml: parsed with python3 + yaml, never run.
f="$LAB_HOME/swarm/stack.yaml"
require_answer "$f" "~/swarm/stack.yaml" "a file" "mkdir -p ~/swarm, then create stack.yaml there"
py "$f" <<'PY'
doc = require_yaml(sys.argv[1], hint="check the indentation: two spaces per level, no tabs")
[web] = require_services(doc, "web")

check_pinned(web.get("image"), "web", "a tag other than latest, like nginx:1.26",
             "an image without a tag means :latest, which can change under a running swarm")

deploy = web.get("deploy") if isinstance(web.get("deploy"), dict) else {}
if not deploy:
    bad("web has a deploy: section", "deploy: with replicas and update_config", web.get("deploy"))
replicas = deploy.get("replicas")
if replicas == 3 and not isinstance(replicas, bool):
    ok("deploy.replicas is 3")
else:
    bad("deploy.replicas is 3", 3, replicas, "write the number without quotes" if isinstance(replicas, str) else None)

uc = deploy.get("update_config") if isinstance(deploy.get("update_config"), dict) else None
if uc is None:
    bad("deploy.update_config exists", "update_config: with parallelism, delay, failure_action", deploy.get("update_config"),
        "update_config belongs inside deploy:, at the same level as replicas")
else:
    par = uc.get("parallelism")
    if par == 1 and not isinstance(par, bool):
        ok("update_config.parallelism is 1")
    else:
        bad("update_config.parallelism is 1", 1, par)
    delay = uc.get("delay")
    if isinstance(delay, str) and re.fullmatch(r"(\d+(\.\d+)?(ns|us|ms|s|m|h))+", delay.strip()):
        ok("update_config.delay is a duration (%s)" % delay.strip()[:20])
    else:
        bad("update_config.delay is a duration", "a duration such as 10s", delay)
    fa = uc.get("failure_action")
    if fa == "rollback":
        ok("update_config.failure_action is rollback")
    else:
        bad("update_config.failure_action is rollback", "rollback", fa)

def publishes(p):
    if isinstance(p, dict):
        return str(p.get("target")) == "80" and str(p.get("published")) == "8080"
    if isinstance(p, str):
        spec = p.split("/", 1)[0]
        parts = spec.split(":")
        return len(parts) >= 2 and parts[-1] == "80" and parts[-2] == "8080"
    return False
ports = web.get("ports")
if isinstance(ports, list) and any(publishes(p) for p in ports):
    ok("port 8080 is published to container port 80")
else:
    bad("port 8080 is published to container port 80", '"8080:80"', ports,
        'quote it: ports: ["8080:80"]')

nets = doc.get("networks") if isinstance(doc.get("networks"), dict) else {}
front = nets.get("front")
if isinstance(front, dict) and front.get("driver") == "overlay":
    ok("a top-level network front with driver overlay")
else:
    bad("a top-level network front with driver overlay", "networks: front: driver: overlay", front)
wn = web.get("networks")
if (isinstance(wn, list) and "front" in wn) or (isinstance(wn, dict) and "front" in wn):
    ok("web is attached to front")
else:
    bad("web is attached to front", "networks: [front] under web", wn)

sys.exit(1 if fails else 0)
PY
