# py ARGS... <<'PY' ... PY: runs a Python check with helpers for reading
# the learner's files as hostile input: ok/bad/check report lines, clean()
# (strings quoted unless Raw),
# read_text() (capped), load_yaml() (reports a parse error with its line),
# require_yaml() (ends the check if it does not parse), require_services()
# (a Compose file's services), check_kind() (a manifest's apiVersion and
# kind), command_words() (a container's command and args),
# d() (a mapping or {}), lst() (the mappings of a list), pinned() and
# check_pinned() (a tagged image), quantity() (a Kubernetes quantity), dockerfile(), check_pinned_from() (instructions, continuation lines
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
    if not isinstance(image, str):
        return False
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    return "@" in image or tag.strip() not in ("", "latest")

def check_pinned(image, what, example, hint=None):
    """what's image is pinned (see pinned)."""
    if pinned(image):
        ok("%s uses a pinned image (%s)" % (what, image[:80]))
        return True
    bad("%s uses a pinned image" % what, example, image, hint)
    return False

UNITS = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "m": 1e-3}

def quantity(v):
    """A Kubernetes quantity (`250m`, `128Mi`, 2) as a number, or None if it
    is not a positive one."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v) if v > 0 else None
    if not isinstance(v, str):
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?", v.strip())
    if not m:
        return None
    n = float(m.group(1)) * UNITS[m.group(2) or ""]
    return n if n > 0 else None

def read_text(path, cap=65536):
    with open(path, "rb") as fh:
        return fh.read(cap).decode("utf-8", "replace")

def yaml_problem(e):
    """A YAML parse error as a FAIL line's actual: the problem and its line."""
    mark = getattr(e, "problem_mark", None)
    where = " (line %d)" % (mark.line + 1) if mark else ""
    return Raw("%s%s" % (getattr(e, "problem", None) or (str(e).splitlines() or ["a parse error"])[0], where))

YAML_HINT = "indent with spaces only; list items start with -"

def load_yaml(path, what="the file", all_docs=False, hint=YAML_HINT):
    """The parsed YAML, or None after reporting why it does not parse."""
    import yaml
    try:
        docs = [x for x in yaml.safe_load_all(read_text(path)) if x is not None]
    except Exception as e:
        bad("%s is valid YAML" % what, "YAML that parses", yaml_problem(e), hint)
        return None
    return docs if all_docs else (docs[0] if docs else None)

def require_yaml(path, what="the file", hint=YAML_HINT):
    """The one YAML document in path (None if it is empty); the check ends,
    failed, if it does not parse."""
    import yaml
    try:
        doc = yaml.safe_load(read_text(path))
    except Exception as e:
        bad("%s is valid YAML" % what, "YAML that parses", yaml_problem(e), hint)
        sys.exit(1)
    ok("%s is valid YAML" % what)
    return doc

def require_services(doc, *names, hint=None):
    """The named services of a Compose file, as mappings; the check ends,
    failed, at the first one missing."""
    services = d(d(doc).get("services"))
    for name in names:
        if not isinstance(services.get(name), dict):
            bad("a service named %s" % name, "services: %s: ..." % name,
                Raw(", ".join(map(str, services)) or "no services"), hint)
            sys.exit(1)
    ok("services " + ", ".join(names))
    return [services[n] for n in names]

def check_kind(doc, api_version, kind):
    """A manifest's apiVersion and kind."""
    doc = d(doc)
    return check(doc.get("apiVersion") == api_version and doc.get("kind") == kind,
                 "a %s %s" % (api_version, kind), "apiVersion: %s, kind: %s" % (api_version, kind),
                 Raw("%s %s" % (doc.get("apiVersion"), doc.get("kind"))))

def command_words(c):
    """A container's command and args, joined with spaces."""
    words = []
    for key in ("command", "args"):
        v = d(c).get(key)
        if isinstance(v, list):
            words += [str(x) for x in v]
        elif v is not None:
            words.append(str(v))
    return " ".join(words)

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

# expect_pinned_from PATH SHOWN IMAGE: the learner's Dockerfile exists and
# its last FROM names a version tag of IMAGE (the check goes on either way).
expect_pinned_from() {
  require_file "$1" "$2"
  py "$1" "$3" <<'PY' || failed=1
check_pinned_from(sys.argv[1], sys.argv[2])
PY
}

# valid_k8s FILE... : checks each manifest against Kubernetes' own schemas
# (offline, the labs have no cluster) and fails with what they refuse.
valid_k8s() {
  py "$@" <<'PY'
for path in sys.argv[1:]:
    validate_k8s(path, "~" + path[len("/home/learner"):] if path.startswith("/home/learner/") else path)
PY
}
