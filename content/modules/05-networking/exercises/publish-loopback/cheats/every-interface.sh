# Published on every interface of the lab, not on loopback only.
mkdir -p ~/panel && [ -f ~/panel/index.html ] || printf '<h1>Staff panel</h1>\n' > ~/panel/index.html
docker run -d --name panel -p 8081:80 -v "$HOME/panel:/www:ro" busybox:1.37 httpd -f -p 80 -h /www
retry 10 curl -fs -m 1 -o /dev/null http://127.0.0.1:8081/
