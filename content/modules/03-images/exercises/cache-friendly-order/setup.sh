# A Python service with a vendored dependency (the lab has no internet, so
# it comes as a wheel) and a Dockerfile that copies everything first.
set -e
d="$HOME/notes-api"
rm -rf "$d"
mkdir -p "$d/wheels"
cat > "$d/app.py" <<'PY'
from http.server import BaseHTTPRequestHandler, HTTPServer

from notes_helpers import banner

RELEASE = "v1"


class Notes(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(banner("notes " + RELEASE).encode() + b"\n")


HTTPServer(("0.0.0.0", 8000), Notes).serve_forever()
PY
printf 'notes-helpers==1.0\n' > "$d/requirements.txt"
# A real wheel, made here: a zip with the module and its metadata.
python3 - "$d/wheels" <<'PY'
import base64, hashlib, sys, zipfile
files = {
    "notes_helpers/__init__.py": "def banner(text):\n    return '== ' + text + ' =='\n",
    "notes_helpers-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: notes-helpers\nVersion: 1.0\n",
    "notes_helpers-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: berth\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
with zipfile.ZipFile(sys.argv[1] + "/notes_helpers-1.0-py3-none-any.whl", "w") as whl:
    for name, text in files.items():
        data = text.encode()
        whl.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
    record.append("notes_helpers-1.0.dist-info/RECORD,,")
    whl.writestr("notes_helpers-1.0.dist-info/RECORD", "\n".join(record) + "\n")
PY
cat > "$d/Dockerfile" <<'DOCKER'
FROM python:3.13-slim
WORKDIR /srv
COPY . .
RUN pip install --no-cache-dir --no-index --find-links=wheels -r requirements.txt
CMD ["python", "app.py"]
DOCKER
