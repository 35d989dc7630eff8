d="$HOME/hardening"
rm -rf "$d"
mkdir -p "$d/invoice"
printf '# No third-party packages yet; kept so the build has a dependency step.\n' > "$d/requirements.txt"
cat > "$d/invoice/__main__.py" <<'EOP'
"""Invoicing service: GET /health answers ok; the rest is left out here."""
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def api_key():
    path = os.environ.get("API_KEY_FILE")
    if path:
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
        sys.exit("no API key: set API_KEY_FILE")
    HTTPServer(("0.0.0.0", port), Handler).serve_forever()
EOP
cat > "$d/Dockerfile" <<'EOD'
FROM python:latest
ENV API_KEY=inv_live_4f9c2d7e1b8a6035e2
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY invoice/ ./invoice/
EXPOSE 8000
CMD python -m invoice --port 8000
EOD
