mkdir -p "$HOME/www"
[ -f "$HOME/www/index.html" ] || printf 'hello from api\n' > "$HOME/www/index.html"
docker rm -f api client >/dev/null 2>&1
docker network rm appnet >/dev/null 2>&1
docker network create appnet >/dev/null
docker run -d --name api --network appnet -v "$HOME/www:/www:ro" busybox:1.37 httpd -f -p 80 -h /www >/dev/null
docker run -d --name client --network appnet busybox:1.37 sleep 3600 >/dev/null
i=0
while [ "$i" -lt 50 ] && ! docker exec client wget -q -T 2 -O /dev/null http://api/ 2>/dev/null; do
  sleep 0.1
  i=$((i + 1))
done
