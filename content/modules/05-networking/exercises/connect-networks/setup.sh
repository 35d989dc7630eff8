# Two containers on two networks that do not overlap: proxy cannot reach stock.
mkdir -p "$HOME/stock"
printf 'stock: 42 crates in the warehouse\n' > "$HOME/stock/index.html"
docker rm -f proxy stock >/dev/null 2>&1
docker network rm edge backend >/dev/null 2>&1
docker network create edge >/dev/null
docker network create backend >/dev/null
docker run -d --name stock --network backend -v "$HOME/stock:/www:ro" busybox:1.37 httpd -f -p 80 -h /www >/dev/null
docker run -d --name proxy --network edge busybox:1.37 sleep 86400 >/dev/null
