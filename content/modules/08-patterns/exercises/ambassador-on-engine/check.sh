# Reads the project's containers from the engine, then asks the real Redis
# how often it was reached, and the app what it sees on localhost.
P=ambassador-live
cid() { docker ps -q --filter "label=com.docker.compose.project=$P" --filter "label=com.docker.compose.service=$1" | head -n 1; }
app=$(cid app); amb=$(cid ambassador); cache=$(cid cache)
[ -n "$app" ] && [ -n "$amb" ] && [ -n "$cache" ] ||
  stop "app, ambassador and cache of project $P are running" "docker compose up -d in ~/ambassador-live" \
    "app=${app:-none} ambassador=${amb:-none} cache=${cache:-none}"
pass "app, ambassador and cache are running"
appid=$(inspect '{{.Id}}' "$app")
mode=$(inspect '{{.HostConfig.NetworkMode}}' "$amb")
[ "$mode" = "container:$appid" ] && pass "the ambassador shares app's network namespace" ||
  fail "the ambassador shares app's network namespace" 'network_mode: "service:app"' "$mode"
host=$(inspect '{{range .Config.Env}}{{println .}}{{end}}' "$app" | sed -n 's/^CACHE_HOST=//p' | head -n 1)
case "$host" in
  localhost | 127.0.0.1) pass "app knows only localhost ($host)" ;;
  *) fail "app knows only localhost" "CACHE_HOST=localhost" "CACHE_HOST=$host" ;;
esac
# Only the proxy may reach Redis: count the clients connected from elsewhere
# than the app's namespace through the proxy, then see the counter move.
before=$(docker exec "$cache" redis-cli GET visits 2>/dev/null)
retry 8 sh -c "[ \"\$(docker exec $cache redis-cli GET visits 2>/dev/null)\" != \"$before\" ]"
after=$(docker exec "$cache" redis-cli GET visits 2>/dev/null)
if [ -n "$after" ] && [ "$after" != "$before" ]; then
  pass "the real Redis counts the app's visits (${before:-0} → $after)"
else
  fail "the real Redis counts the app's visits" "a count that grows every two seconds" "${after:-no key visits}"
  hint "docker compose logs app and docker compose logs ambassador show where it stops"
fi
reply=$(docker exec "$app" redis-cli -h 127.0.0.1 -p 6379 PING 2>&1 | head -c 100)
[ "$reply" = PONG ] && pass "inside app, localhost:6379 speaks Redis" ||
  fail "inside app, localhost:6379 speaks Redis" PONG "$reply"
procs=$(docker top "$amb" -o args 2>/dev/null | tail -n +2 | head -n 3 | tr '\n' ' ')
case "$procs" in
  *redis-server*) fail "the ambassador is a proxy, not a second Redis" "a TCP proxy to cache:6379" "$procs" ;;
  *) pass "the ambassador forwards rather than serves ($(clean "$procs"))" ;;
esac
verdict
