mkdir -p "$HOME/pair/www"
[ -f "$HOME/pair/www/index.html" ] || printf 'pair: web is up\n' > "$HOME/pair/www/index.html"
cat > "$HOME/pair/compose.yaml" <<'YAML'
services:
  web:
    image: busybox:1.37
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    volumes:
      - ./www:/www:ro
    init: true
  client:
    image: busybox:1.37
    command: ["sleep", "3600"]
    init: true
YAML
cd "$HOME/pair" && docker compose up -d --quiet-pull >/dev/null 2>&1
i=0
while [ "$i" -lt 50 ] && ! docker compose exec -T client wget -q -T 2 -O /dev/null http://web/ 2>/dev/null; do
  sleep 0.1
  i=$((i + 1))
done
