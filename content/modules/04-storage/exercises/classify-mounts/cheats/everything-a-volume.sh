# "They are all volumes": every destination given the same type.
printf '%s\n' "/var/lib/postgresql/data volume" "/docker-entrypoint-initdb.d volume" "/run/postgresql volume" \
  "/etc/nginx/nginx.conf volume" "/srv/uploads volume" "/var/cache/nginx volume" "/var/log/shop-web volume" \
  "/usr/share/nginx/html volume" "anonymous /var/log/shop-web" > ~/storage/mount-types.txt
