docker image inspect mini >/dev/null 2>&1 || tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - mini >/dev/null
# Two containers on two networks that do not overlap: proxy cannot reach stock.
mkdir -p "$HOME/stock"
printf 'stock: 42 crates in the warehouse\n' > "$HOME/stock/index.html"
docker rm -f proxy stock >/dev/null 2>&1
docker network rm edge backend >/dev/null 2>&1
docker network create edge >/dev/null
docker network create backend >/dev/null
docker run -d --name stock --network backend -v "$HOME/stock:/www:ro" mini httpd -f -p 80 -h /www >/dev/null
docker run -d --name proxy --network edge mini sleep 86400 >/dev/null
