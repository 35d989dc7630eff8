# Renders ~/charts/api like `helm template` would (a small subset of the template
# language, evaluated by this script; nothing from the chart is executed).
c="$LAB_HOME/charts/api"
ok=1
for f in "$c/Chart.yaml" "$c/values.yaml" "$c/templates/deployment.yaml" "$LAB_HOME/charts/prod-values.yaml"; do
  short="~/${f#"$LAB_HOME"/}"
  if [ -f "$f" ]; then
    echo "PASS: $short exists"
  else
    echo "FAIL: $short exists | expected: a file | actual: no such file"
    ok=0
  fi
done
[ "$ok" = 1 ] || exit 1
py "$c/Chart.yaml" "$c/values.yaml" "$c/templates/deployment.yaml" "$LAB_HOME/charts/prod-values.yaml" <<'PY'
import copy, re, sys
import yaml

def read(path):
    with open(path, "rb") as fh:
        return fh.read(65536).decode("utf-8", "replace")
def load(path, label):
    try:
        return yaml.safe_load(read(path))
    except Exception as e:
        bad("%s is valid YAML" % label, "YAML that parses", str(e).splitlines()[0] if str(e) else "a parse error")
        return None

chart = load(sys.argv[1], "Chart.yaml")
values = load(sys.argv[2], "values.yaml")
prod = load(sys.argv[4], "prod-values.yaml")
template = read(sys.argv[3])
if fails:
    sys.exit(1)
chart, values, prod = d(chart), d(values), d(prod)

if chart.get("apiVersion") == "v2" and chart.get("name") and chart.get("version"):
    ok("Chart.yaml names a v2 chart (%s %s)" % (chart.get("name"), chart.get("version")))
else:
    bad("Chart.yaml names a v2 chart", "apiVersion: v2, name and version", Raw(str(chart)))

# values.yaml
rc = values.get("replicaCount")
img = d(values.get("image"))
if rc == 2 and not isinstance(rc, bool):
    ok("values.yaml: replicaCount is 2")
else:
    bad("values.yaml: replicaCount is 2", 2, rc)
if img.get("repository") == "ghcr.io/example/api" and img.get("tag") == "1.8.0":
    ok("values.yaml: image.repository and image.tag are set")
else:
    bad("values.yaml: image.repository and image.tag", "repository: ghcr.io/example/api, tag: \"1.8.0\"",
        Raw("repository %s, tag %s" % (clean(img.get("repository")), clean(img.get("tag")))),
        "an unquoted 1.8.0 is still text, but a tag like 1.10 would become the number 1.1: quote tags")

# The template must use the values, not repeat them.
if re.search(r"\{\{-?\s*\.Values\.replicaCount\b", template):
    ok("the template uses .Values.replicaCount")
else:
    bad("the template uses .Values.replicaCount", "replicas: {{ .Values.replicaCount }}", Raw("not found"))
if re.search(r"\.Values\.image\.repository\b", template) and re.search(r"\.Values\.image\.tag\b", template):
    ok("the template uses .Values.image.repository and .Values.image.tag")
else:
    bad("the template uses .Values.image.repository and .Values.image.tag",
        "image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"", Raw("not found"))

# A tiny renderer for {{ term | quote | default term }} expressions.
class Unsupported(Exception):
    pass
def lookup(path, scope):
    cur = scope
    for part in path.strip(".").split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur
def term(t, scope):
    t = t.strip()
    if re.fullmatch(r'"[^"]*"', t):
        return t[1:-1]
    if re.fullmatch(r"(\.[A-Za-z_][A-Za-z0-9_]*)+", t):
        return lookup(t, scope)
    if re.fullmatch(r"-?\d+", t):
        return int(t)
    raise Unsupported(t)
def show(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
def evaluate(expr, scope):
    parts = [p.strip() for p in expr.split("|")]
    val = term(parts[0], scope)
    for fn in parts[1:]:
        if fn == "quote":
            val = '"%s"' % show(val)
        elif fn.startswith("default "):
            fallback = term(fn[len("default "):], scope)
            if val in (None, "", 0, False):
                val = fallback
        else:
            raise Unsupported(fn)
    return show(val)
def render(text, vals):
    scope = {"Values": vals, "Release": {"Name": "demo", "Namespace": "default"},
             "Chart": {"Name": chart.get("name"), "Version": chart.get("version"), "AppVersion": chart.get("appVersion")}}
    text = re.sub(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", "", text, flags=re.S)
    out, pos = [], 0
    for m in re.finditer(r"\{\{(-\s)?(.*?)(\s-)?\}\}", text, flags=re.S):
        before = text[pos:m.start()]
        if m.group(1):
            before = before.rstrip()
        out.append(before)
        out.append(evaluate(m.group(2), scope))
        pos = m.end()
        if m.group(3):
            while pos < len(text) and text[pos].isspace():
                pos += 1
    out.append(text[pos:])
    return "".join(out)
def merge(base, over):
    res = copy.deepcopy(base)
    for k, v in over.items():
        res[k] = merge(d(res.get(k)), v) if isinstance(v, dict) else v
    return res

def rendered(vals, label):
    try:
        docs = [x for x in yaml.safe_load_all(render(template, vals)) if x]
    except Unsupported as e:
        bad("the template renders", "simple {{ .Values.x }} expressions", Raw("unsupported: " + str(e)[:60]),
            "this check understands .Values, .Release.Name, .Chart.*, quote and default")
        return None
    except Exception as e:
        bad("the template renders to valid YAML (%s)" % label, "YAML after rendering",
            str(e).splitlines()[0] if str(e) else "a parse error",
            "quote the image line: image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"")
        return None
    for x in docs:
        if isinstance(x, dict) and x.get("kind") == "Deployment":
            return x
    bad("the template renders a Deployment (%s)" % label, "kind: Deployment", Raw("no Deployment"))
    return None
def containers(dep):
    cs = d(d(d(dep.get("spec")).get("template")).get("spec")).get("containers")
    return [c for c in cs if isinstance(c, dict)] if isinstance(cs, list) else []

dep = rendered(values, "default values")
if dep is not None:
    r = d(dep.get("spec")).get("replicas")
    if r == 2:
        ok("rendered with values.yaml: replicas: 2")
    else:
        bad("rendered with values.yaml: replicas: 2", 2, r)
    images = [c.get("image") for c in containers(dep)]
    if "ghcr.io/example/api:1.8.0" in images:
        ok("rendered with values.yaml: image ghcr.io/example/api:1.8.0")
    else:
        bad("rendered with values.yaml: image ghcr.io/example/api:1.8.0", "ghcr.io/example/api:1.8.0",
            Raw(", ".join(map(str, images)) or "no containers"))

if prod.get("replicaCount") == 5 and not isinstance(prod.get("replicaCount"), bool):
    ok("prod-values.yaml: replicaCount is 5")
else:
    bad("prod-values.yaml: replicaCount is 5", 5, prod.get("replicaCount"))
dep = rendered(merge(values, prod), "with prod-values.yaml")
if dep is not None:
    r = d(dep.get("spec")).get("replicas")
    if r == 5:
        ok("rendered with -f prod-values.yaml: replicas: 5, the override wins")
    else:
        bad("rendered with -f prod-values.yaml: replicas: 5", 5, r)

sys.exit(1 if fails else 0)
PY
