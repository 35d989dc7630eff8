# Parse (never run) the docker commands in ~/backup-commands.txt.
f="$LAB_HOME/backup-commands.txt"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/backup-commands.txt exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/backup-commands.txt exists"
python3 - "$f" <<'PY'
import shlex, sys

ARCHIVE = "shop-uploads.tar.gz"
# docker run options that take a value (the rest are treated as flags).
VALUED = {"-v", "--volume", "--mount", "-e", "--env", "--env-file", "--name", "-w", "--workdir",
          "-u", "--user", "--network", "--net", "--entrypoint", "--volumes-from", "-l", "--label",
          "--platform", "--pull", "-h", "--hostname", "--memory", "-m", "--cpus", "--pids-limit",
          "--tmpfs", "--security-opt", "--cap-drop", "--cap-add", "--log-driver", "--restart"}

results = []
def ok(name):
    results.append(("PASS", name, "", ""))
def bad(name, expected, actual):
    results.append(("FAIL", name, expected, actual))

with open(sys.argv[1], "rb") as fh:
    text = fh.read(65536).decode("utf-8", "replace")

# Join backslash continuations, drop comments and blank lines.
commands, cur = [], ""
for raw in text.splitlines():
    line = raw.rstrip()
    if not cur and (not line.strip() or line.lstrip().startswith("#")):
        continue
    if line.endswith("\\"):
        cur += line[:-1] + " "
        continue
    cur += line
    commands.append(cur.strip())
    cur = ""
if cur.strip():
    commands.append(cur.strip())

def parse_mount(spec_kind, value):
    """Returns (type, source, target, readonly) or None."""
    if spec_kind == "v":
        parts = value.split(":")
        if len(parts) == 1:
            return ("volume", "", parts[0], False)
        src, tgt = parts[0], parts[1]
        opts = parts[2].split(",") if len(parts) > 2 else []
        kind = "bind" if src.startswith(("/", ".", "$", "~")) else "volume"
        return (kind, src, tgt, "ro" in opts)
    kv = {}
    for item in value.split(","):
        k, _, v = item.partition("=")
        kv[k.strip().lower()] = v.strip()
    kind = kv.get("type", "volume")
    src = kv.get("source", kv.get("src", ""))
    tgt = kv.get("target", kv.get("dst", kv.get("destination", "")))
    ro = ("readonly" in kv and kv["readonly"] in ("", "true", "1")) or ("ro" in kv and kv["ro"] in ("", "true", "1"))
    return (kind, src, tgt, ro)

def parse_run(tokens):
    """tokens start after 'docker run'. Returns (opts, mounts, image, cmd)."""
    flags, mounts = set(), []
    i = 0
    while i < len(tokens) and tokens[i].startswith("-"):
        tok = tokens[i]
        name, eq, val = tok.partition("=")
        if name in VALUED:
            if not eq:
                i += 1
                val = tokens[i] if i < len(tokens) else ""
            if name in ("-v", "--volume"):
                mounts.append(parse_mount("v", val))
            elif name == "--mount":
                mounts.append(parse_mount("mount", val))
        else:
            flags.add(name)
        i += 1
    image = tokens[i] if i < len(tokens) else ""
    return flags, mounts, image, tokens[i + 1:]

def parse_tar(args):
    """Returns (mode, archive, directory, members, gzip) for a tar command line."""
    mode = archive = directory = None
    members, gz = [], False
    i = 0
    first = True
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            name, eq, val = a.partition("=")
            if name in ("--create",): mode = "c"
            elif name in ("--extract", "--get"): mode = "x"
            elif name in ("--gzip", "--gunzip", "--auto-compress"): gz = True
            elif name in ("--file", "--directory"):
                if not eq:
                    i += 1
                    val = args[i] if i < len(args) else ""
                if name == "--file": archive = val
                else: directory = val
        elif a.startswith("-") or (first and a and set(a) <= set("cxtzvfpaC")):
            letters = a.lstrip("-")
            j = 0
            while j < len(letters):
                ch = letters[j]
                if ch in "cx": mode = ch
                elif ch in "za": gz = True
                elif ch in "fC":
                    rest = letters[j + 1:]
                    if rest and a.startswith("-"):
                        val = rest
                    else:
                        i += 1
                        val = args[i] if i < len(args) else ""
                        rest = ""
                    if ch == "f": archive = val
                    else: directory = val
                    if rest: break
                j += 1
        else:
            members.append(a)
        first = False
        i += 1
    return mode, archive, directory, members, gz

def norm(p):
    return p.rstrip("/") or "/"

def check(label, volume, want_mode, cmds):
    found = None
    for c in cmds:
        if c["tar"] and c["tar"][0] == want_mode:
            found = c
            break
    if not found:
        word = "creating (tar c...)" if want_mode == "c" else "extracting (tar x...)"
        bad(f"a {label} command", f"a docker run line with tar {word} an archive", "none found")
        return
    ok(f"a {label} command")
    flags, mounts = found["flags"], found["mounts"]
    mode, archive, directory, members, gz = found["tar"]
    if "--rm" in flags:
        ok(f"{label}: the helper container is removed (--rm)")
    else:
        bad(f"{label}: the helper container is removed", "--rm", "missing")
    vol = [m for m in mounts if m and m[0] == "volume" and m[1] == volume]
    binds = [m for m in mounts if m and m[0] == "bind"]
    if not vol:
        names = ", ".join(m[1] or "(anonymous)" for m in mounts if m and m[0] == "volume") or "no volume"
        bad(f"{label}: the volume {volume} is mounted", f"-v {volume}:/some/path", names)
        return
    vt = norm(vol[0][2])
    ok(f"{label}: the volume {volume} is mounted at {vt}")
    if want_mode == "c":
        if vol[0][3]:
            ok(f"{label}: the volume is mounted read-only")
        else:
            bad(f"{label}: the volume is mounted read-only", f"-v {volume}:{vt}:ro", "writable")
    if not binds:
        bad(f"{label}: a host directory is bind-mounted for the archive", '-v "$(pwd)/backups":/backup', "no bind mount")
        return
    bts = [norm(b[2]) for b in binds]
    ok(f"{label}: a host directory is bind-mounted at {bts[0]}")
    if not archive:
        bad(f"{label}: tar names its archive file", "f followed by a path, e.g. czf /backup/" + ARCHIVE, "no f option")
    elif not any(archive == bt + "/" + ARCHIVE for bt in bts):
        bad(f"{label}: the archive is {ARCHIVE} in the bind-mounted directory", f"{bts[0]}/{ARCHIVE}", archive)
    else:
        ok(f"{label}: the archive is {archive}")
    if want_mode == "c" and not gz:
        bad(f"{label}: the archive is gzipped", "z in the tar options (czf)", "no z")
    if directory is None or norm(directory) != vt:
        bad(f"{label}: tar works inside the volume's mount point", f"-C {vt}", f"-C {directory}" if directory else "no -C")
    else:
        ok(f"{label}: tar works inside {vt} (-C)")
    if want_mode == "c":
        if members in (["."], ["./"]):
            ok(f"{label}: tar archives '.' (everything, hidden files included)")
        else:
            bad(f"{label}: tar archives '.'", "-C " + vt + " .", " ".join(members) or "nothing")

cmds = []
for text_cmd in commands:
    try:
        toks = shlex.split(text_cmd)
    except ValueError as e:
        bad("the command can be parsed", "balanced quotes", str(e)[:80])
        continue
    if toks[:2] == ["docker", "run"]:
        rest = toks[2:]
    elif toks[:3] == ["docker", "container", "run"]:
        rest = toks[3:]
    else:
        continue
    flags, mounts, image, cmd = parse_run(rest)
    tar = parse_tar(cmd[1:]) if cmd and cmd[0] == "tar" else (None,)
    cmds.append({"flags": flags, "mounts": mounts, "image": image, "tar": tar})

if not cmds:
    bad("the file holds docker run commands", "lines starting with docker run", f"{len(commands)} other line(s)")
else:
    check("backup", "shop-uploads", "c", cmds)
    check("restore", "shop-uploads-copy", "x", cmds)

failed = False
for status, name, exp, act in results:
    if status == "PASS":
        print(f"PASS: {name}")
    else:
        failed = True
        print(f"FAIL: {name} | expected: {exp} | actual: {act}")
sys.exit(1 if failed else 0)
PY
