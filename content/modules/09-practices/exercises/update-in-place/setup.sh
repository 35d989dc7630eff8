# A small web server that is running short of memory and never restarts.
docker rm -f edge >/dev/null 2>&1 || true
docker run -d --name edge --memory 64m --label org.example.role=edge-cache busybox:1.37 \
  sh -c 'mkdir -p /www && echo "edge is up" > /www/index.html && exec httpd -f -p 8080 -h /www' >/dev/null
