# Looks at the engine's real state for the Compose project "ambassador-live"; runs nothing of the learner's
# (the one exec is busybox's wget inside the app container, to test its localhost).
P=ambassador-live
fail=0
cid() {
  docker ps -aq --filter "label=com.docker.compose.project=$P" --filter "label=com.docker.compose.service=$1" 2>/dev/null | head -n 1
}
app=$(cid app)
amb=$(cid ambassador)
if [ -z "$app" ] || [ -z "$amb" ]; then
  echo "FAIL: services app and ambassador of project $P exist | expected: two containers | actual: app=${app:-none} ambassador=${amb:-none}"
  echo "HINT: run docker compose up -d inside ~/ambassador-live"
  exit 1
fi
for pair in "app:$app" "ambassador:$amb"; do
  name=${pair%%:*}
  st=$(docker inspect --format '{{.State.Status}}' "${pair#*:}" 2>/dev/null)
  if [ "$st" = "running" ]; then
    echo "PASS: service $name is running"
  else
    echo "FAIL: service $name is running | expected: running | actual: $st"
    fail=1
  fi
done
appid=$(docker inspect --format '{{.Id}}' "$app" 2>/dev/null)
mode=$(docker inspect --format '{{.HostConfig.NetworkMode}}' "$amb" 2>/dev/null)
if [ "$mode" = "container:$appid" ]; then
  echo "PASS: the ambassador shares app's network namespace"
else
  echo "FAIL: the ambassador shares app's network namespace | expected: container:<app's id> (network_mode: \"service:app\") | actual: $mode"
  echo "HINT: add network_mode: \"service:app\" under ambassador"
  fail=1
fi
addr=$(docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$app" 2>/dev/null | sed -n 's/^CACHE_ADDR=//p' | head -n 1)
case "$addr" in
  localhost:6379|127.0.0.1:6379) echo "PASS: app's CACHE_ADDR is $addr" ;;
  *)
    echo "FAIL: app reaches the cache on localhost | expected: CACHE_ADDR=localhost:6379 | actual: CACHE_ADDR=$addr"
    fail=1 ;;
esac
reply=$(docker exec "$app" wget -q -T 3 -O - http://127.0.0.1:6379/ 2>/dev/null | head -c 200)
case "$reply" in
  *"cache reached"*) echo "PASS: inside app, localhost:6379 answers with the ambassador" ;;
  *)
    echo "FAIL: inside app, localhost:6379 answers with the ambassador | expected: ambassador: cache reached | actual: ${reply:-no answer}"
    echo "HINT: without the shared namespace, app's localhost has nothing on port 6379"
    fail=1 ;;
esac
exit "$fail"
