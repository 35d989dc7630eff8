mkdir -p "$HOME/panel"
[ -f "$HOME/panel/index.html" ] || printf '<h1>Staff panel</h1>\n' > "$HOME/panel/index.html"
docker rm -f panel >/dev/null 2>&1
docker run -d --name panel -p 127.0.0.1:8081:80 -v "$HOME/panel:/www:ro" busybox:1.37 httpd -f -p 80 -h /www >/dev/null
i=0
while [ "$i" -lt 50 ] && ! curl -fs -m 1 -o /dev/null http://127.0.0.1:8081/; do
  sleep 0.1
  i=$((i + 1))
done
