# The same two containers, started by hand instead of from a compose file.
mkdir -p ~/pair/www && [ -f ~/pair/www/index.html ] || printf 'pair: web is up\n' > ~/pair/www/index.html
docker network create pair
docker run -d --name web --network pair -v ~/pair/www:/www:ro busybox:1.37 httpd -f -p 80 -h /www
docker run -d --name client --network pair busybox:1.37 sleep 3600
