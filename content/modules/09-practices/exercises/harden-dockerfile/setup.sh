# The invoicing service's Dockerfile, breaking most of the checklist.
set -e
d="$HOME/hardening"
rm -rf "$d"
mkdir -p "$d/invoice"
cat > "$d/invoice/__main__.py" <<'PY'
"""Invoicing service: GET /health answers ok; the rest is left out here."""
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def api_key():
    path = os.environ.get("API_KEY_FILE")
    if path and os.path.exists(path):
        with open(path) as fh:
            return fh.read().strip()
    return os.environ.get("API_KEY", "")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path == "/health"
        self.send_response(200 if ok else 404)
        self.end_headers()
        self.wfile.write(b"ok\n" if ok else b"not found\n")


if __name__ == "__main__":
    port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 8000
    if not api_key():
        print("no API key yet: invoices are refused until one is mounted", file=sys.stderr)
    HTTPServer(("0.0.0.0", port), Handler).serve_forever()
PY
cat > "$d/Dockerfile" <<'DOCKER'
FROM python:latest
ENV API_KEY=inv_live_4f9c2d7e1b8a6035e2
WORKDIR /app
COPY invoice/ ./invoice/
EXPOSE 8000
CMD python -m invoice --port 8000
DOCKER
