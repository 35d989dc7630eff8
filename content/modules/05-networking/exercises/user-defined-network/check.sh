# Parse (never run) the docker commands in ~/network-commands.sh.
f="$LAB_HOME/network-commands.sh"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/network-commands.sh exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/network-commands.sh exists"
python3 - "$f" <<'PY'
import shlex, sys

VALUED = {"-v", "--volume", "--mount", "-e", "--env", "--env-file", "--name", "-w", "--workdir",
          "-u", "--user", "--network", "--net", "--entrypoint", "--volumes-from", "-l", "--label",
          "--platform", "--pull", "-h", "--hostname", "--memory", "-m", "--cpus", "--pids-limit",
          "--tmpfs", "--security-opt", "--cap-drop", "--cap-add", "--log-driver", "--restart",
          "-p", "--publish", "--network-alias", "--add-host", "--dns", "--ip"}
results = []
def ok(n): results.append(f"PASS: {n}")
def bad(n, e, a): results.append(f"FAIL: {n} | expected: {e} | actual: {a}")

with open(sys.argv[1], "rb") as fh:
    text = fh.read(65536).decode("utf-8", "replace")
commands, cur = [], ""
for raw in text.splitlines():
    line = raw.rstrip()
    if not cur and (not line.strip() or line.lstrip().startswith("#")):
        continue
    if line.endswith("\\"):
        cur += line[:-1] + " "
        continue
    commands.append((cur + line).strip())
    cur = ""
if cur.strip():
    commands.append(cur.strip())

networks, runs, connects = {}, [], []
for c in commands:
    try:
        t = shlex.split(c, comments=True)
    except ValueError as e:
        bad("every line can be parsed", "balanced quotes", str(e)[:80])
        continue
    if t[:3] == ["docker", "network", "create"]:
        args, driver, name, i = t[3:], "bridge", None, 0
        while i < len(args):
            a = args[i]
            n, eq, v = a.partition("=")
            if n in ("-d", "--driver"):
                if not eq:
                    i += 1
                    v = args[i] if i < len(args) else ""
                driver = v
            elif a.startswith("-"):
                if not eq and n in ("--subnet", "--gateway", "--ip-range", "-o", "--opt", "--label", "--scope", "--ipam-driver"):
                    i += 1
            else:
                name = a
            i += 1
        if name:
            networks[name] = driver
    elif t[:3] == ["docker", "network", "connect"]:
        rest = [a for a in t[3:] if not a.startswith("-")]
        if len(rest) >= 2:
            connects.append((rest[0], rest[1]))
    elif t[:2] == ["docker", "run"] or t[:3] == ["docker", "container", "run"]:
        args = t[2:] if t[1] == "run" else t[3:]
        opts, i = {}, 0
        while i < len(args) and args[i].startswith("-"):
            n, eq, v = args[i].partition("=")
            if n in VALUED:
                if not eq:
                    i += 1
                    v = args[i] if i < len(args) else ""
                opts.setdefault(n, []).append(v)
            else:
                opts.setdefault(n, []).append("")
            i += 1
        image = args[i] if i < len(args) else ""
        runs.append((opts, image))

# 1. The network.
user_nets = {n: d for n, d in networks.items() if n not in ("bridge", "host", "none")}
if not user_nets:
    bad("a user-defined network is created", "docker network create <name>", "no such command")
    net = None
else:
    net, driver = next(iter(user_nets.items()))
    if driver != "bridge":
        bad(f"the network {net} is a bridge network", "driver bridge (the default)", driver)
    else:
        ok(f"the user-defined bridge network {net} is created")

def get(opts, *names):
    out = []
    for n in names:
        out += opts.get(n, [])
    return out

def find(name):
    for opts, image in runs:
        if name in get(opts, "--name"):
            return opts, image
    return None

def nets_of(opts, cname):
    ns = set(get(opts, "--network", "--net"))
    ns |= {n for n, c in connects if c == cname}
    return ns

for cname, image in (("db", "postgres:16"), ("api", "shop/api:1.4")):
    found = find(cname)
    if not found:
        bad(f"a container named {cname} is started", f"docker run -d --name {cname} ...", "no such docker run")
        continue
    opts, img = found
    ok(f"a container named {cname} is started")
    if "-d" not in opts and "--detach" not in opts and not any(k.startswith("-") and not k.startswith("--") and "d" in k for k in opts if k not in VALUED):
        bad(f"{cname} runs in the background", "-d", "missing")
    if img != image:
        bad(f"{cname} uses the image {image}", image, img or "none")
    else:
        ok(f"{cname} uses {image}")
    ns = nets_of(opts, cname)
    if net and net in ns:
        ok(f"{cname} is attached to {net}")
    else:
        bad(f"{cname} is attached to the user-defined network", f"--network {net or '<name>'}", ", ".join(sorted(ns)) or "the default bridge")

db = find("db")
if db:
    pubs = get(db[0], "-p", "--publish") + get(db[0], "-P", "--publish-all")
    if pubs:
        bad("db publishes no ports", "no -p (the API reaches it over the network)", " ".join(p or "-P" for p in pubs))
    else:
        ok("db publishes no ports")

api = find("api")
if api:
    envs = get(api[0], "-e", "--env")
    vals = [e.partition("=")[2] for e in envs if e.partition("=")[0] == "DATABASE_HOST"]
    if not vals:
        bad("api gets DATABASE_HOST", "-e DATABASE_HOST=db", "not set")
    elif vals[0] != "db":
        bad("DATABASE_HOST names the database container", "db", vals[0])
    else:
        ok("api gets DATABASE_HOST=db")
    pubs = get(api[0], "-p", "--publish")
    if "127.0.0.1:8080:8000" in pubs or "127.0.0.1:8080:8000/tcp" in pubs:
        ok("api publishes 8000 as 127.0.0.1:8080")
    elif any(p.endswith(("8080:8000", "8080:8000/tcp")) for p in pubs):
        bad("api's port is published on loopback only", "-p 127.0.0.1:8080:8000", " ".join(pubs))
    else:
        bad("api publishes container port 8000 on host port 8080", "-p 127.0.0.1:8080:8000", " ".join(pubs) or "no -p")

print("\n".join(results))
sys.exit(1 if any(r.startswith("FAIL") for r in results) else 0)
PY
