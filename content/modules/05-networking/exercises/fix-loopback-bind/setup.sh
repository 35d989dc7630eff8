d="$HOME/orders"
if [ -f "$d/server.pid" ]; then
  kill "$(cat "$d/server.pid")" 2>/dev/null
fi
mkdir -p "$d"
cat > "$d/server.py" <<'EOP'
"""The orders service: answers every GET with a one-line status.

It reads where to listen from orders.env next to this file, and writes its
process id to server.pid.
"""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))


def settings():
    conf = {"HOST": "127.0.0.1", "PORT": "5000"}
    with open(os.path.join(HERE, "orders.env")) as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                conf[key.strip()] = value.strip()
    return conf["HOST"], int(conf["PORT"])


class Orders(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"orders service: ok\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    host, port = settings()
    server = HTTPServer((host, port), Orders)
    with open(os.path.join(HERE, "server.pid"), "w") as fh:
        fh.write(f"{os.getpid()}\n")
    print(f"orders service listening on {host}:{port}", flush=True)
    server.serve_forever()
EOP
cat > "$d/orders.env" <<'EOE'
# Where the orders service listens.
HOST=127.0.0.1
PORT=5000
EOE
rm -f "$d/server.pid"
cd "$d" && nohup python3 server.py >/dev/null 2>&1 &
i=0
while [ "$i" -lt 50 ] && ! ss -ltnH | awk '$4 ~ /:5000$/ { f = 1 } END { exit !f }'; do
  sleep 0.1
  i=$((i + 1))
done
