# A tiny Python web service, not yet packaged.
set -e
d="$HOME/hello-py"
rm -rf "$d"
mkdir -p "$d"
cat > "$d/app.py" <<'PY'
from http.server import BaseHTTPRequestHandler, HTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"hello from an image\n")


HTTPServer(("0.0.0.0", 8000), Hello).serve_forever()
PY
