# The site mounted, but writable: the container could change it.
docker run -d --name site -p 8081:80 -v "$HOME/site":/www busybox:1.37 httpd -f -p 80 -h /www
retry 10 curl -fs -o /dev/null http://127.0.0.1:8081/
