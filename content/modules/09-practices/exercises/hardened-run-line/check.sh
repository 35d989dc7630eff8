# Parse (never run) the docker run line in ~/run-hardened.sh.
f="$LAB_HOME/run-hardened.sh"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/run-hardened.sh exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/run-hardened.sh exists"
python3 - "$f" <<'PY'
import re, shlex, sys

VALUED = {"-v", "--volume", "--mount", "-e", "--env", "--env-file", "--name", "-w", "--workdir",
          "-u", "--user", "--network", "--net", "--entrypoint", "--volumes-from", "-l", "--label",
          "--platform", "--pull", "-h", "--hostname", "--memory", "-m", "--memory-swap", "--cpus",
          "--pids-limit", "--tmpfs", "--security-opt", "--cap-drop", "--cap-add", "--log-driver",
          "--log-opt", "--restart", "-p", "--publish", "--pid", "--ipc", "--uts", "--userns",
          "--device", "--ulimit", "--stop-timeout", "--health-cmd", "--add-host", "--dns"}
SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSW)", re.I)
out = []
def ok(n): out.append(f"PASS: {n}")
def bad(n, e, a): out.append(f"FAIL: {n} | expected: {e} | actual: {a}")

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

run = None
for c in commands:
    try:
        t = shlex.split(c, comments=True)
    except ValueError as e:
        bad("the command can be parsed", "balanced quotes", str(e)[:80])
        continue
    if t[:2] == ["docker", "run"]:
        run = t[2:]
    elif t[:3] == ["docker", "container", "run"]:
        run = t[3:]
    if run is not None:
        break
if run is None:
    bad("the file holds a docker run command", "a line starting with docker run", "none found")
    print("\n".join(out)); sys.exit(1)
ok("the file holds a docker run command")

opts, i = [], 0
while i < len(run) and run[i].startswith("-"):
    n, eq, v = run[i].partition("=")
    if n in VALUED and not eq:
        i += 1
        v = run[i] if i < len(run) else ""
    opts.append((n, v if (eq or n in VALUED) else ""))
    i += 1
image = run[i] if i < len(run) else ""
def vals(*names):
    return [v for n, v in opts if n in names]
def has(*names):
    return any(n in names for n, _ in opts)

# Image.
if image == "shop/invoice:2.3.1":
    ok("the image is shop/invoice:2.3.1")
else:
    bad("the image is exactly shop/invoice:2.3.1", "shop/invoice:2.3.1", image or "none")

# Forbidden.
if has("--privileged"):
    bad("no --privileged", "no --privileged", "--privileged")
else:
    ok("no --privileged")
hostns = [f"{n} {v}" for n, v in opts if n in ("--network", "--net", "--pid", "--ipc", "--uts", "--userns") and v == "host"]
mounts_text = " ".join(vals("-v", "--volume", "--mount"))
if hostns:
    bad("no host namespaces", "no --network/--pid/--ipc host", ", ".join(hostns))
if "docker.sock" in mounts_text:
    bad("no Docker socket", "no mount of /var/run/docker.sock", "the socket is mounted")

# User.
users = vals("-u", "--user")
if not users:
    bad("runs as a non-root user", "--user 10001:10001", "no --user")
elif users[-1].split(":")[0] in ("", "0", "root"):
    bad("runs as a non-root user", "a uid other than 0", users[-1])
else:
    ok(f"runs as {users[-1]}")

# Capabilities.
if any(v.upper() == "ALL" for v in vals("--cap-drop")):
    ok("drops all capabilities")
else:
    bad("drops all capabilities", "--cap-drop ALL", " ".join(vals("--cap-drop")) or "no --cap-drop")
if vals("--cap-add"):
    bad("adds no capabilities back", "none (the app listens on 8080 and needs none)", " ".join(vals("--cap-add")))
if any(re.fullmatch(r"no-new-privileges(?:[:=]true)?", v) for v in vals("--security-opt")):
    ok("sets no-new-privileges")
else:
    bad("sets no-new-privileges", "--security-opt no-new-privileges", " ".join(vals("--security-opt")) or "missing")

# Read-only root and a tmpfs at /tmp.
if any(n == "--read-only" and v in ("", "true") for n, v in opts):
    ok("the root file system is read-only")
else:
    bad("the root file system is read-only", "--read-only", "missing")
tmp = any(v.split(":")[0].rstrip("/") == "/tmp" for v in vals("--tmpfs"))
for m in vals("--mount"):
    kv = dict(p.partition("=")[::2] for p in m.split(","))
    if kv.get("type") == "tmpfs" and (kv.get("target") or kv.get("dst") or kv.get("destination") or "").rstrip("/") == "/tmp":
        tmp = True
if tmp:
    ok("/tmp is a tmpfs")
else:
    bad("/tmp is a tmpfs", "--tmpfs /tmp", "no tmpfs at /tmp")

# Limits.
for label, names, example in (("memory", ("-m", "--memory"), "--memory 256m"),
                              ("CPUs", ("--cpus",), "--cpus 0.5"),
                              ("processes", ("--pids-limit",), "--pids-limit 100")):
    v = vals(*names)
    if not v or v[-1] in ("", "0", "-1"):
        bad(f"limits {label}", example, v[-1] if v else "no limit")
    else:
        ok(f"limits {label} ({v[-1]})")

# The secret as a read-only file.
secret_ok = False
for n, v in opts:
    if n in ("-v", "--volume"):
        parts = v.split(":")
        if len(parts) >= 3 and parts[0].endswith("secrets/api-key.txt") and parts[1] == "/run/secrets/api-key" and "ro" in parts[2].split(","):
            secret_ok = True
    elif n == "--mount":
        kv = dict(p.partition("=")[::2] for p in v.split(","))
        src = kv.get("source", kv.get("src", ""))
        tgt = kv.get("target", kv.get("dst", kv.get("destination", "")))
        if kv.get("type") == "bind" and src.endswith("secrets/api-key.txt") and tgt == "/run/secrets/api-key" and ("readonly" in kv or "ro" in kv):
            secret_ok = True
if secret_ok:
    ok("the key is a read-only bind mount at /run/secrets/api-key")
else:
    bad("the key is a read-only bind mount", '-v "$(pwd)/secrets/api-key.txt":/run/secrets/api-key:ro', "no such mount")
envs = vals("-e", "--env")
if "API_KEY_FILE=/run/secrets/api-key" in envs:
    ok("API_KEY_FILE points to the mounted file")
else:
    bad("API_KEY_FILE points to the mounted file", "-e API_KEY_FILE=/run/secrets/api-key", " ".join(envs) or "not set")
leaks = [e.partition("=")[0] for e in envs if SECRET_NAME.search(e.partition("=")[0]) and not e.partition("=")[0].upper().endswith("_FILE")]
if leaks:
    bad("no secret value on the command line", "only API_KEY_FILE", ", ".join(leaks))

print("\n".join(out))
sys.exit(1 if any(l.startswith("FAIL") for l in out) else 0)
PY
