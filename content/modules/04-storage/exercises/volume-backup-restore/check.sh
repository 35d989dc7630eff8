# Compares the archive and the restored volume with the source volume.
# The volumes are read by copying them out (docker cp, a tar stream) of a
# container created for the check and never started; nothing the learner
# made is run or extracted.
python3 - "$LAB_HOME/backups/shop-uploads.tar" "berth-check-$$" <<'PY'
import io, os, subprocess, sys, tarfile

archive, probe = sys.argv[1], sys.argv[2]
CAP = 8 * 1024 * 1024
ok = True

def say(passed, what, expected="", actual=""):
    global ok
    if passed:
        print(f"PASS: {what}")
    else:
        ok = False
        print(f"FAIL: {what} | expected: {expected} | actual: {actual}")

def docker(*args):
    try:
        p = subprocess.run(["docker", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
    except subprocess.TimeoutExpired:
        return 1, b""
    return p.returncode, p.stdout[:CAP]

def files(data, strip):
    """{relative path: content} of the regular files in a tar stream."""
    out = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as t:
            for n, m in enumerate(t):
                if n > 2000:
                    break
                name = m.name
                if strip:
                    name = name.split("/", 1)[1] if "/" in name else ""
                name = name[2:] if name.startswith("./") else name
                if m.isfile() and name:
                    f = t.extractfile(m)
                    out[name] = f.read(65536) if f else b""
    except (tarfile.TarError, EOFError, OSError):
        return None
    return out

def volume_exists(name):
    return docker("volume", "inspect", name)[0] == 0

if not volume_exists("shop-uploads"):
    say(False, "the source volume shop-uploads exists", "the volume from the setup", "missing (reset the lab to get it back)")
    sys.exit(1)

# What each volume holds, read through one container that is never started.
source = restored = None
code, _ = docker("create", "--name", probe, "--network", "none", "--label", "berth.check=1",
                 "-v", "shop-uploads:/src:ro",
                 *(["-v", "shop-uploads-restored:/dst:ro"] if volume_exists("shop-uploads-restored") else []),
                 "busybox:1.37", "true")
if code == 0:
    source = files(docker("cp", probe + ":/src", "-")[1], strip=True)
    if volume_exists("shop-uploads-restored"):
        restored = files(docker("cp", probe + ":/dst", "-")[1], strip=True)
    docker("rm", "-f", probe)
if not source:
    say(False, "the source volume can be read", "its files", "nothing (reset the lab)")
    sys.exit(1)

# 1. The archive.
if not os.path.isfile(archive):
    say(False, "~/backups/shop-uploads.tar exists", "a tar archive written by the backup container", "no such file")
else:
    with open(archive, "rb") as fh:
        data = fh.read(CAP)
    members = files(data, strip=False)
    if members is None:
        say(False, "~/backups/shop-uploads.tar is a tar archive", "a tar archive", "not a readable tar file")
    else:
        say(True, "~/backups/shop-uploads.tar is a tar archive")
        deep = sorted(n for n in members if n.startswith(("data/", "/", "src/")))
        say(not deep, "paths in the archive are relative to the volume's root",
            "members like ./avatars/ana.png", ", ".join(deep[:3]))
        if deep:
            print("HINT: tar cf /backup/shop-uploads.tar -C /data . stores paths relative to the mount point")
        missing = sorted(n for n in source if members.get(n) != source[n])
        say(not missing, "the archive holds every file of shop-uploads, hidden ones included",
            "all files with their content", "missing or different: " + ", ".join(missing[:5]))

# 2. The restored volume.
if restored is None:
    say(False, "the volume shop-uploads-restored exists", "a named volume shop-uploads-restored", "docker volume ls has no such volume")
else:
    say(True, "the volume shop-uploads-restored exists")
    wrong = sorted(n for n in source if restored.get(n) != source[n])
    extra = sorted(n for n in restored if n not in source)
    say(not wrong, "shop-uploads-restored holds every file of shop-uploads, with the same content",
        "the same files at the same paths", "missing or different: " + ", ".join(wrong[:5]))
    if not wrong and extra:
        say(False, "shop-uploads-restored holds nothing else", "only the backed-up files",
            "also " + ", ".join(extra[:5]))
    if wrong and any(n.startswith("data/") for n in extra):
        print("HINT: the files were restored one directory too deep (data/...): the archive has the mount point in its paths")

# 3. No helper container left behind.
code, out = docker("ps", "-a", "--filter", "volume=shop-uploads", "--filter", "volume=shop-uploads-restored",
                   "--format", "{{.Names}}")
left = [n for n in out.decode("utf-8", "replace").split() if n != probe][:5]
say(not left, "no helper container is left using the volumes", "throwaway containers (--rm)",
    ", ".join(left))
sys.exit(0 if ok else 1)
PY
