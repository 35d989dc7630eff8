# py ARGS... <<'PY' ... PY: runs a Python check with helpers for reading
# the learner's files as hostile input: ok/bad/check report lines, clean()
# (strings quoted unless Raw),
# read_text() (capped), load_yaml() (reports a parse error with its line),
# d() (a mapping or {}), lst() (the mappings of a list), pinned() (a tagged
# image), dockerfile(), check_pinned_from() (instructions, continuation lines
# joined) and validate_k8s() (Kubernetes' own schemas, offline). The check
# fails if any `bad` was reported.
py() {
  python3 -c "$_BERTH_PY" "$@"
}

_BERTH_PY=$(cat <<'PYTHON'
import json, re, subprocess, sys
fails = 0

class Raw(str):
    """Text shown as it is in a FAIL line; other strings are quoted."""

def clean(v):
    if v is None:
        v = "missing"
    elif isinstance(v, str) and not isinstance(v, Raw):
        v = '"%s"' % v
    return re.sub(r"[|\r\n]+", " ", str(v))[:160]

def ok(msg):
    print("PASS: " + msg)

def bad(msg, expected, actual, hint=None):
    global fails
    fails += 1
    print("FAIL: %s | expected: %s | actual: %s" % (msg, expected, clean(actual)))
    if hint:
        print("HINT: " + hint)

def check(good, msg, expected, actual, hint=None):
    if good:
        ok(msg)
    else:
        bad(msg, expected, actual, hint)
    return good

def d(v):
    return v if isinstance(v, dict) else {}

def lst(v):
    """The mappings in a list, or [] if it is not one."""
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []

def pinned(image):
    """An image reference with a tag other than latest (or a digest)."""
    return isinstance(image, str) and (":" in image.rsplit("/", 1)[-1] or "@" in image) and not image.endswith(":latest")

def read_text(path, cap=65536):
    with open(path, "rb") as fh:
        return fh.read(cap).decode("utf-8", "replace")

def load_yaml(path, what="the file", all_docs=False):
    """The parsed YAML, or None after reporting why it does not parse."""
    import yaml
    try:
        text = read_text(path)
        docs = [x for x in yaml.safe_load_all(text) if x is not None]
    except Exception as e:
        mark = getattr(e, "problem_mark", None)
        where = " (line %d)" % (mark.line + 1) if mark else ""
        bad("%s is valid YAML" % what, "YAML that parses", "%s%s" % (getattr(e, "problem", None) or str(e).splitlines()[0], where),
            "indent with spaces only; list items start with -")
        return None
    return docs if all_docs else (docs[0] if docs else None)

def dockerfile(path):
    """(INSTRUCTION, arguments) pairs, comments dropped, lines joined."""
    steps, cur = [], ""
    for raw in read_text(path).splitlines():
        s = raw.strip()
        if s.startswith("#") or (not s and not cur):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        cur += s
        if cur.strip():
            parts = cur.strip().split(None, 1)
            steps.append((parts[0].upper(), parts[1] if len(parts) > 1 else ""))
        cur = ""
    return steps

def check_pinned_from(path, image):
    """The last FROM of a Dockerfile names a version tag of image."""
    froms = [a.split()[0] for k, a in dockerfile(path) if k == "FROM" and a.split()]
    base = froms[-1] if froms else ""
    tag = base.split("@")[0].rsplit("/", 1)[-1].partition(":")[2]
    return check(base.startswith(image) and any(c.isdigit() for c in tag) and tag != "latest",
                 "FROM names a versioned tag of " + image, image + ":<version>", "FROM " + (base or "nothing"),
                 image + " and " + image + ":latest move under you: name the version")

def validate_k8s(path, what):
    """Validates every document of a manifest against Kubernetes' schemas."""
    out = subprocess.run(["kubernetes-validate", "--strict", "--quiet", "--no-warn", path],
                         capture_output=True, text=True, timeout=60)
    errors = [l for l in (out.stdout + out.stderr).splitlines() if l.strip()]
    return check(out.returncode == 0, "%s is valid against Kubernetes' schemas" % what,
                 "no schema errors", "; ".join(errors)[:300],
                 "field names are case-sensitive, and numbers must not be quoted")

def finish():
    sys.exit(1 if fails else 0)

exec(compile(sys.stdin.read(), "check", "exec"))
finish()
PYTHON
)

# valid_k8s FILE... : checks each manifest against Kubernetes' own schemas
# (offline, the labs have no cluster) and fails with what they refuse.
valid_k8s() {
  py "$@" <<'PY'
for path in sys.argv[1:]:
    validate_k8s(path, "~" + path[len("/home/learner"):] if path.startswith("/home/learner/") else path)
PY
}
