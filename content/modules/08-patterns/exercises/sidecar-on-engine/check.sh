# Looks at the engine's real state for the Compose project "sidecar-live"; runs nothing of the learner's.
P=sidecar-live
fail=0
cid() {
  docker ps -aq --filter "label=com.docker.compose.project=$P" --filter "label=com.docker.compose.service=$1" 2>/dev/null | head -n 1
}
app=$(cid app)
shipper=$(cid shipper)
for pair in "app:$app" "shipper:$shipper"; do
  name=${pair%%:*}
  id=${pair#*:}
  if [ -z "$id" ]; then
    echo "FAIL: service $name of project $P exists | expected: a container | actual: none"
    echo "HINT: run docker compose up -d inside ~/sidecar-live"
    fail=1
    continue
  fi
  st=$(docker inspect --format '{{.State.Status}}' "$id" 2>/dev/null)
  if [ "$st" = "running" ]; then
    echo "PASS: service $name is running"
  else
    echo "FAIL: service $name is running | expected: running | actual: $st"
    echo "HINT: docker compose logs $name shows why it stopped"
    fail=1
  fi
done
[ -n "$app" ] && [ -n "$shipper" ] || exit 1

fmt='{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{.Destination}} {{.RW}}{{"\n"}}{{end}}{{end}}'
appvol=$(docker inspect --format "$fmt" "$app" 2>/dev/null | awk '$2 == "/var/log/app" { print $1; exit }')
if [ -n "$appvol" ]; then
  echo "PASS: app keeps /var/log/app on a named volume ($appvol)"
else
  echo "FAIL: app keeps /var/log/app on a named volume | expected: a volume mounted at /var/log/app | actual: none"
  echo "HINT: under app, add volumes: - applogs:/var/log/app"
  fail=1
fi
shipmount=$(docker inspect --format "$fmt" "$shipper" 2>/dev/null | awk -v v="$appvol" 'v != "" && $1 == v { print $2, $3; exit }')
if [ -n "$shipmount" ]; then
  echo "PASS: shipper mounts the same volume (at ${shipmount% *})"
  if [ "${shipmount#* }" = "false" ]; then
    echo "PASS: shipper mounts it read-only"
  else
    echo "FAIL: shipper mounts it read-only | expected: :ro | actual: read-write"
    echo "HINT: end the shipper's volume line with :ro"
    fail=1
  fi
else
  echo "FAIL: shipper mounts the same volume as app | expected: the volume ${appvol:-of app} | actual: not mounted"
  fail=1
fi
if docker logs --tail 50 "$shipper" 2>&1 | head -c 65536 | grep -q 'order handled'; then
  echo "PASS: the shipper's output carries the app's log lines"
else
  echo "FAIL: the shipper's output carries the app's log lines | expected: 'app: order handled' in docker compose logs shipper | actual: not there"
  echo "HINT: the shipper must follow the file through its own mount, e.g. tail -F /logs/app.log"
  fail=1
fi
exit "$fail"
