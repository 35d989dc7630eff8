# A service whose build needs a private token, written the leaky way.
set -e
d="$HOME/invoices"
rm -rf "$d"
mkdir -p "$d"
printf 'tok_live_5f2a9c81e4d07b36\n' > "$d/.pip-token"
cat > "$d/fetch_private.py" <<'PY'
# Stands in for downloading a private package: it needs the token, from a
# build secret (/run/secrets/pip_token) or, the leaky way, from PIP_TOKEN.
import os, pathlib, sys
token = os.environ.get("PIP_TOKEN", "")
secret = pathlib.Path("/run/secrets/pip_token")
if secret.exists():
    token = secret.read_text().strip()
if not token.startswith("tok_live_"):
    sys.exit("fetch_private.py: no token (mount it with RUN --mount=type=secret,id=pip_token)")
pathlib.Path("invoicing.py").write_text("def total(lines):\n    return sum(lines)\n")
print("fetched the private package")
PY
cat > "$d/server.py" <<'PY'
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

from invoicing import total


class Invoices(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        version = os.environ.get("APP_VERSION", "dev")
        self.wfile.write(("invoices %s: %d\n" % (version, total([40, 2]))).encode())


HTTPServer(("0.0.0.0", 8000), Invoices).serve_forever()
PY
cat > "$d/Dockerfile" <<'DOCKER'
FROM python:latest
ENV PIP_TOKEN=tok_live_5f2a9c81e4d07b36
WORKDIR /srv
COPY . .
RUN python fetch_private.py
LABEL org.opencontainers.image.version="dev"
USER 1000
CMD ["python", "server.py"]
DOCKER
