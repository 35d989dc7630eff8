# Looks at the engine's real state for the Compose project "sidecar-live"; runs nothing of the learner's.
P=sidecar-live
app=$(compose_container "$P" app)
shipper=$(compose_container "$P" shipper)
for pair in "app:$app" "shipper:$shipper"; do
  name=${pair%%:*}
  id=${pair#*:}
  if [ -z "$id" ]; then
    fail "service $name of project $P exists" "a container" "none"
    hint "run docker compose up -d inside ~/sidecar-live"
    continue
  fi
  expect_is "service $name is running" running "$(inspect '{{.State.Status}}' "$id")" \
    "docker compose logs $name shows why it stopped"
done
[ -n "$app" ] && [ -n "$shipper" ] || exit 1

fmt='{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{.Destination}} {{.RW}}{{"\n"}}{{end}}{{end}}'
appvol=$(docker inspect --format "$fmt" "$app" 2>/dev/null | awk '$2 == "/var/log/app" { print $1; exit }')
if [ -n "$appvol" ]; then
  pass "app keeps /var/log/app on a named volume ($appvol)"
else
  fail "app keeps /var/log/app on a named volume" "a volume mounted at /var/log/app" "none"
  hint "under app, add volumes: - applogs:/var/log/app"
fi
shipmount=$(docker inspect --format "$fmt" "$shipper" 2>/dev/null | awk -v v="$appvol" 'v != "" && $1 == v { print $2, $3; exit }')
if [ -n "$shipmount" ]; then
  pass "shipper mounts the same volume (at ${shipmount% *})"
  if [ "${shipmount#* }" = "false" ]; then
    pass "shipper mounts it read-only"
  else
    fail "shipper mounts it read-only" ":ro" "read-write"
    hint "end the shipper's volume line with :ro"
  fi
else
  fail "shipper mounts the same volume as app" "the volume ${appvol:-of app}" "not mounted"
fi
if docker logs --tail 50 "$shipper" 2>&1 | head -c 65536 | grep -q 'order handled'; then
  pass "the shipper's output carries the app's log lines"
else
  fail "the shipper's output carries the app's log lines" "'app: order handled' in docker compose logs shipper" "not there"
  hint "the shipper must follow the file through its own mount, e.g. tail -F /logs/app.log"
fi
verdict
