# ~/storage/mount-types.txt must classify every mount in run-shop.sh.
f="$LAB_HOME/storage/mount-types.txt"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/storage/mount-types.txt exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/storage/mount-types.txt exists"
answer=$(head -c 65536 "$f" | tr -d '\r' | tr 'A-Z' 'a-z')
expected='/var/lib/postgresql/data volume
/docker-entrypoint-initdb.d bind
/run/postgresql tmpfs
/etc/nginx/nginx.conf bind
/srv/uploads volume
/var/cache/nginx tmpfs
/var/log/shop-web volume
/usr/share/nginx/html bind'
status=0
for path in $(printf '%s\n' "$expected" | awk '{ print $1 }'); do
  want=$(printf '%s\n' "$expected" | awk -v p="$path" '$1 == p { print $2 }')
  # Accept a trailing slash on the path.
  got=$(printf '%s\n' "$answer" | awk -v p="$path" '{ q = $1; sub(/\/$/, "", q) } q == p { print $2; exit }' | head -c 40)
  if [ -z "$got" ]; then
    echo "FAIL: $path is classified | expected: a line starting with $path | actual: no such line"
    status=1
  elif [ "$got" != "$want" ]; then
    echo "FAIL: $path is classified | expected: another kind of mount | actual: $got"
    status=1
  else
    echo "PASS: $path is a $want"
  fi
done
# Lines about paths that do not receive a mount (host paths, typos).
extra=$(printf '%s\n' "$answer" | awk -v list="$expected" '
  BEGIN { n = split(list, l, "\n"); for (i = 1; i <= n; i++) { split(l[i], w, " "); ok[w[1]] = 1 } }
  NF == 0 || $1 == "anonymous" || $1 ~ /^#/ { next }
  { q = $1; sub(/\/$/, "", q); if (!(q in ok)) { printf "%s ", $1 } }' | head -c 200)
if [ -n "$extra" ]; then
  echo "FAIL: only container paths that receive a mount are listed | expected: no other lines | actual: $extra"
  echo "HINT: list the target inside the container; /srv/shop/... and \$PWD/static are host paths"
  status=1
else
  echo "PASS: no unexpected lines"
fi
anon=$(printf '%s\n' "$answer" | awk '$1 == "anonymous" { q = $2; sub(/\/$/, "", q); print q; exit }' | head -c 80)
if [ "$anon" = "/var/log/shop-web" ]; then
  echo "PASS: the anonymous volume is /var/log/shop-web"
elif [ -z "$anon" ]; then
  echo "FAIL: the anonymous volume is named | expected: a line 'anonymous <container path>' | actual: no such line"
  status=1
else
  echo "FAIL: the anonymous volume is named | expected: the volume that has no name | actual: $anon"
  echo "HINT: an anonymous volume is a -v (or --mount) with a container path and no source"
  status=1
fi
exit "$status"
