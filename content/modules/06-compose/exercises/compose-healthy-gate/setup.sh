# A project whose report runs too early: web needs a few seconds to warm up.
d="$HOME/gate"
mkdir -p "$d"
cat > "$d/compose.yaml" <<'YAML'
services:
  web:
    image: busybox:1.37
    # Warms up for 4 seconds, then writes its page and starts serving it.
    command: ["sh", "-c", "sleep 4 && mkdir -p /www && echo 'catalogue ready' > /www/index.html && exec httpd -f -p 80 -h /www"]
    init: true
  report:
    image: busybox:1.37
    # Fetches the page once and exits: 0 if it got it, 1 if not.
    command: ["wget", "-qO-", "http://web/"]
    depends_on:
      - web
YAML
