cat > "$HOME/storage/mount-types.txt" <<'EOA'
/var/lib/postgresql/data volume
/docker-entrypoint-initdb.d bind
/run/postgresql tmpfs
/etc/nginx/nginx.conf bind
/srv/uploads volume
/var/cache/nginx tmpfs
/var/log/shop-web volume
/usr/share/nginx/html bind
anonymous /var/log/shop-web
EOA
