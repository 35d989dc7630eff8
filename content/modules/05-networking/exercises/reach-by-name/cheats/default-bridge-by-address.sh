# Both on the default bridge, reached by address: names do not resolve there.
mkdir -p ~/www && [ -f ~/www/index.html ] || printf 'hello from api\n' > ~/www/index.html
docker run -d --name api -v "$HOME/www:/www:ro" busybox:1.37 httpd -f -p 80 -h /www
docker run -d --name client busybox:1.37 sleep 3600
ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' api)
docker exec client wget -q -T 2 -O /dev/null "http://$ip/" || true
