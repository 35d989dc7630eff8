mkdir -p "$HOME/storage"
cat > "$HOME/storage/run-shop.sh" <<'EOS'
#!/bin/sh
# How the two containers of the shop are started on the production host.
# Read it; do not run it.

docker volume create shop-pgdata
docker volume create shop-uploads

docker run -d --name shop-db \
  --env-file /srv/shop/db.env \
  -v shop-pgdata:/var/lib/postgresql/data \
  -v /srv/shop/initdb:/docker-entrypoint-initdb.d:ro \
  --tmpfs /run/postgresql:size=1m \
  postgres:16

docker run -d --name shop-web -p 8080:80 \
  --mount type=bind,source=/srv/shop/nginx.conf,target=/etc/nginx/nginx.conf,readonly \
  --mount source=shop-uploads,target=/srv/uploads \
  --mount type=tmpfs,target=/var/cache/nginx,tmpfs-size=67108864 \
  -v /var/log/shop-web \
  -v "$PWD/static":/usr/share/nginx/html:ro \
  nginx:1.27
EOS
rm -f "$HOME/storage/mount-types.txt"
