# ~/storage/mount-types.txt must classify every mount in run-shop.sh.
f="$LAB_HOME/storage/mount-types.txt"
require_answer "$f" "~/storage/mount-types.txt"
answer=$(answer "$f" | tr 'A-Z' 'a-z')
expected='/var/lib/postgresql/data volume
/docker-entrypoint-initdb.d bind
/run/postgresql tmpfs
/etc/nginx/nginx.conf bind
/srv/uploads volume
/var/cache/nginx tmpfs
/var/log/shop-web volume
/usr/share/nginx/html bind'
for path in $(printf '%s\n' "$expected" | awk '{ print $1 }'); do
  want=$(printf '%s\n' "$expected" | awk -v p="$path" '$1 == p { print $2 }')
  # Accept a trailing slash on the path.
  got=$(printf '%s\n' "$answer" | awk -v p="$path" '{ q = $1; sub(/\/$/, "", q) } q == p { print $2; exit }' | head -c 40)
  expect_line "$path is classified" "$want" "$got" "$path ..." "another kind of mount"
done
# Lines about paths that do not receive a mount (host paths, typos).
extra=$(printf '%s\n' "$answer" | awk -v list="$expected" '
  BEGIN { n = split(list, l, "\n"); for (i = 1; i <= n; i++) { split(l[i], w, " "); ok[w[1]] = 1 } }
  NF == 0 || $1 == "anonymous" || $1 ~ /^#/ { next }
  { q = $1; sub(/\/$/, "", q); if (!(q in ok)) { printf "%s ", $1 } }' | head -c 200)
if [ -n "$extra" ]; then
  fail "only container paths that receive a mount are listed" "no other lines" "$extra"
  hint "list the target inside the container; /srv/shop/... and \$PWD/static are host paths"
else
  pass "no unexpected lines"
fi
anon=$(printf '%s\n' "$answer" | awk '$1 == "anonymous" { q = $2; sub(/\/$/, "", q); print q; exit }' | head -c 80)
if [ "$anon" = "/var/log/shop-web" ]; then
  pass "the anonymous volume is /var/log/shop-web"
elif [ -z "$anon" ]; then
  fail "the anonymous volume is named" "a line 'anonymous <container path>'" "no such line"
else
  fail "the anonymous volume is named" "the volume that has no name" "$anon"
  hint "an anonymous volume is a -v (or --mount) with a container path and no source"
fi
verdict
