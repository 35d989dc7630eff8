# Parses the four commands in ~/tasks.txt (never runs them) and checks
# each against its task.
file="$LAB_HOME/tasks.txt"
if [ ! -f "$file" ]; then
  echo "FAIL: ~/tasks.txt exists | expected: the file with run:, shell:, logs: and all: lines | actual: no such file"
  echo "HINT: reset the lab to get the template back"
  exit 1
fi
python3 - "$file" <<'PY'
import shlex, sys

with open(sys.argv[1], "rb") as f:
    text = f.read(65536).decode("utf-8", "replace")
lines = {}
for line in text.splitlines():
    key, sep, rest = line.partition(":")
    key = key.strip().lower()
    if sep and key in ("run", "shell", "logs", "all") and key not in lines:
        lines[key] = rest.strip()

ok = True
def fail(what, expected, actual, hint=None):
    global ok
    ok = False
    print(f"FAIL: {what} | expected: {expected} | actual: {actual[:160] or '(empty)'}")
    if hint:
        print(f"HINT: {hint}")

# Options of docker run/exec that take a value (short and long forms).
VALUED = {"-p", "--publish", "-e", "--env", "--name", "-v", "--volume", "-w", "--workdir",
          "-u", "--user", "--env-file", "--restart", "-m", "--memory", "--cpus", "--network",
          "--net", "-h", "--hostname", "-l", "--label", "--mount", "--entrypoint", "--platform",
          "--pull", "--pids-limit", "--add-host", "--dns", "--log-driver", "--log-opt",
          "--health-cmd", "--stop-signal", "--stop-timeout", "--detach-keys", "--cidfile", "-a", "--attach"}
SHORT_VALUED = {"p", "e", "v", "w", "u", "m", "h", "l", "a"}

def words(key):
    raw = lines.get(key, "")
    try:
        return shlex.split(raw)
    except ValueError as e:
        fail(f"{key}: the command can be parsed", "balanced quotes", raw)
        return None

def subcommand(tokens, verbs, groups):
    """Returns the tokens after `docker VERB` or `docker GROUP VERB`, or None."""
    if len(tokens) < 2 or tokens[0] != "docker":
        return None
    for verb in verbs:
        if tokens[1] == verb:
            return tokens[2:]
        for group in groups:
            if tokens[1] == group and len(tokens) > 2 and tokens[2] == verb:
                return tokens[3:]
    return None

def parse(args, interspersed):
    """Splits args into ({option: [values]}, [positionals])."""
    opts, pos = {}, []
    i = 0
    while i < len(args):
        a = args[i]
        if pos and not interspersed:
            pos.append(a)
        elif a.startswith("--") and len(a) > 2:
            name, eq, val = a.partition("=")
            if name in VALUED and not eq:
                val = args[i + 1] if i + 1 < len(args) else ""
                i += 1
            opts.setdefault(name, []).append(val if (eq or name in VALUED) else True)
        elif a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                c = a[j]
                if c in SHORT_VALUED:
                    val = a[j + 1:]
                    if val.startswith("="):
                        val = val[1:]
                    if not val:
                        val = args[i + 1] if i + 1 < len(args) else ""
                        i += 1
                    opts.setdefault("-" + c, []).append(val)
                    break
                opts.setdefault("-" + c, []).append(True)
                j += 1
        else:
            pos.append(a)
        i += 1
    return opts, pos

def has(opts, *names):
    return any(n in opts for n in names)

def values(opts, *names):
    return [v for n in names for v in opts.get(n, []) if isinstance(v, str)]

# run
t = words("run")
if t is not None:
    args = subcommand(t, ["run"], ["container"])
    if args is None:
        fail("run: starts a new container", "docker run …", lines.get("run", ""),
             "a new container is started with docker run")
    else:
        opts, pos = parse(args, interspersed=False)
        image = pos[0] if pos else ""
        if image not in ("nginx:1.27-alpine", "docker.io/library/nginx:1.27-alpine", "library/nginx:1.27-alpine"):
            hint = None
            if image.startswith("-") or not image:
                hint = "every option must come before the image name"
            fail("run: uses the image nginx:1.27-alpine", "nginx:1.27-alpine", image, hint)
        elif len(pos) > 1:
            fail("run: keeps the image's own command", "nothing after the image name", " ".join(pos[1:]),
                 "words after the image replace its command; put options before the image")
        else:
            print("PASS: run: uses the image nginx:1.27-alpine")
        if has(opts, "-d", "--detach"):
            print("PASS: run: runs in the background (-d)")
        else:
            fail("run: runs in the background", "-d or --detach", " ".join(args))
        names = values(opts, "--name")
        if names == ["shop-web"]:
            print("PASS: run: is named shop-web")
        else:
            fail("run: is named shop-web", "--name shop-web", ", ".join(names) or "no --name")
        ports = [p.removesuffix("/tcp") for p in values(opts, "-p", "--publish")]
        good = {"8080:80", "0.0.0.0:8080:80"}
        if any(p in good for p in ports):
            print("PASS: run: publishes container port 80 on host port 8080")
        else:
            hint = "the host port comes first: -p 8080:80" if "80:8080" in ports else None
            fail("run: publishes container port 80 on host port 8080", "-p 8080:80", ", ".join(ports) or "no -p", hint)
        envs = values(opts, "-e", "--env")
        if "APP_ENV=staging" in envs:
            print("PASS: run: sets APP_ENV=staging")
        else:
            fail("run: sets APP_ENV=staging", "-e APP_ENV=staging", ", ".join(envs) or "no -e")
        if has(opts, "--rm"):
            print("PASS: run: removes the container when it stops (--rm)")
        else:
            fail("run: removes the container when it stops", "--rm", " ".join(args))
        if values(opts, "--restart"):
            fail("run: has no restart policy", "no --restart (it conflicts with --rm)", ", ".join(values(opts, "--restart")))

# shell
t = words("shell")
if t is not None:
    args = subcommand(t, ["exec"], ["container"])
    if args is None:
        hint = None
        if subcommand(t, ["run"], ["container"]) is not None:
            hint = "docker run would start a new container; a shell in the running one needs docker exec"
        fail("shell: opens a shell in the running container", "docker exec -it shop-web sh", lines.get("shell", ""), hint)
    else:
        opts, pos = parse(args, interspersed=False)
        target = pos[0] if pos else ""
        cmd = pos[1:]
        interactive = has(opts, "-i", "--interactive") and has(opts, "-t", "--tty")
        if target != "shop-web":
            fail("shell: targets shop-web", "docker exec -it shop-web sh", lines.get("shell", ""))
        elif cmd not in (["sh"], ["/bin/sh"]):
            fail("shell: runs sh", "sh after the container name", " ".join(cmd) or "no command",
                 "docker exec needs the command to run after the container's name")
        elif not interactive:
            fail("shell: is interactive", "-it (or -i -t)", " ".join(args),
                 "without -i the shell gets no input, without -t no terminal")
        else:
            print("PASS: shell: docker exec -it shop-web sh")

# logs
t = words("logs")
if t is not None:
    args = subcommand(t, ["logs"], ["container"])
    if args is None:
        fail("logs: reads the container's logs", "docker logs -f shop-web", lines.get("logs", ""))
    else:
        opts, pos = parse(args, interspersed=True)
        if pos != ["shop-web"]:
            fail("logs: reads shop-web's logs", "shop-web", " ".join(pos) or "no container")
        elif not has(opts, "-f", "--follow"):
            fail("logs: follows new lines", "-f or --follow", " ".join(args))
        else:
            print("PASS: logs: follows shop-web's logs")

# all
t = words("all")
if t is not None:
    args = None
    if len(t) >= 2 and t[0] == "docker" and t[1] == "ps":
        args = t[2:]
    elif len(t) >= 3 and t[0] == "docker" and t[1] == "container" and t[2] in ("ls", "list", "ps"):
        args = t[3:]
    if args is None:
        fail("all: lists containers", "docker ps -a", lines.get("all", ""),
             "docker images lists images; containers are listed by docker ps" if "images" in t or "image" in t else None)
    else:
        opts, pos = parse(args, interspersed=True)
        if pos:
            fail("all: lists containers", "docker ps -a", lines.get("all", ""))
        elif not has(opts, "-a", "--all"):
            fail("all: includes stopped containers", "-a or --all", " ".join(t),
                 "plain docker ps shows only running containers")
        else:
            print("PASS: all: lists every container, stopped ones too")

sys.exit(0 if ok else 1)
PY
