# The web app of a shop, still without a compose file.
set -e
d="$HOME/shop"
rm -rf "$d"
mkdir -p "$d"
cat > "$d/app.py" <<'PY'
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

DB = os.environ.get("DATABASE_URL", "(not set)")

class Shop(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(("shop is open, database at %s\n" % DB).encode())

HTTPServer(("0.0.0.0", 8000), Shop).serve_forever()
PY
cat > "$d/Dockerfile" <<'DOCKER'
FROM python:3.13-slim
WORKDIR /srv
COPY app.py .
USER 1000
EXPOSE 8000
CMD ["python", "app.py"]
DOCKER
