docker rm -f site >/dev/null 2>&1 || true
docker run -d --name site -p 8081:80 -v "$HOME/site":/www:ro busybox:1.37 httpd -f -p 80 -h /www >/dev/null
i=0
until curl -fs -o /dev/null http://127.0.0.1:8081/; do
  i=$((i + 1)); [ "$i" -gt 50 ] && exit 1; sleep 0.1
done
