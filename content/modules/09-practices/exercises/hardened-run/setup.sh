# The invoicing service: reads its key from the file API_KEY_FILE names,
# writes only to /tmp, answers /health on 8080.
set -e
d="$HOME/invoice"
rm -rf "$d"
mkdir -p "$d/secrets"
# Readable by the container's user, which is not the learner.
printf 'inv_live_4f9c2d7e1b8a6035e2\n' > "$d/secrets/api-key.txt"
chmod 644 "$d/secrets/api-key.txt"
cat > "$d/invoice.py" <<'PY'
import os, sys, tempfile
from http.server import BaseHTTPRequestHandler, HTTPServer

path = os.environ.get("API_KEY_FILE")
if not path:
    sys.exit("no API key: set API_KEY_FILE to the file that holds it")
with open(path) as fh:
    key = fh.read().strip()
tempfile.NamedTemporaryFile(dir="/tmp", prefix="invoice-").close()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path == "/health"
        self.send_response(200 if ok else 404)
        self.end_headers()
        self.wfile.write(("ok, key ...%s, uid %d\n" % (key[-4:], os.getuid())).encode() if ok else b"not found\n")


HTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
PY
printf 'FROM python:3.13-slim\nWORKDIR /app\nCOPY invoice.py .\nEXPOSE 8080\nCMD ["python", "invoice.py"]\n' > "$d/Dockerfile"
