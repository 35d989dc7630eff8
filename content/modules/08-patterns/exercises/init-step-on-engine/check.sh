# Looks at the engine's real state for the Compose project "init-live"; runs nothing of the learner's.
P=init-live
fail=0
cid() {
  docker ps -aq --filter "label=com.docker.compose.project=$P" --filter "label=com.docker.compose.service=$1" 2>/dev/null | head -n 1
}
mig=$(cid migrate)
app=$(cid app)
if [ -z "$mig" ] || [ -z "$app" ]; then
  echo "FAIL: services migrate and app of project $P exist | expected: two containers | actual: migrate=${mig:-none} app=${app:-none}"
  echo "HINT: run docker compose up -d inside ~/init-live"
  exit 1
fi
echo "PASS: services migrate and app exist"
mstate=$(docker inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$mig" 2>/dev/null)
if [ "$mstate" = "exited 0" ]; then
  echo "PASS: migrate ran once and exited 0"
else
  echo "FAIL: migrate ran once and exited 0 | expected: exited 0 | actual: $mstate"
  fail=1
fi
astate=$(docker inspect --format '{{.State.Status}}' "$app" 2>/dev/null)
if [ "$astate" = "running" ]; then
  echo "PASS: app is running"
else
  echo "FAIL: app is running | expected: running | actual: $astate"
  echo "HINT: app exits 1 when it starts before the marker exists; docker compose logs app shows it"
  fail=1
fi
deps=$(docker inspect --format '{{index .Config.Labels "com.docker.compose.depends_on"}}' "$app" 2>/dev/null)
case "$deps" in
  *migrate:service_completed_successfully*)
    echo "PASS: app depends on migrate with condition service_completed_successfully" ;;
  *)
    echo "FAIL: app depends on migrate with condition service_completed_successfully | expected: migrate:service_completed_successfully | actual: ${deps:-no depends_on}"
    echo "HINT: use the long form: depends_on: / migrate: / condition: service_completed_successfully"
    fail=1 ;;
esac
fin=$(docker inspect --format '{{.State.FinishedAt}}' "$mig" 2>/dev/null)
start=$(docker inspect --format '{{.State.StartedAt}}' "$app" 2>/dev/null)
fin_n=$(date -u -d "$fin" +%s%N 2>/dev/null || echo 0)
start_n=$(date -u -d "$start" +%s%N 2>/dev/null || echo 0)
mstart=$(docker inspect --format '{{.State.StartedAt}}' "$mig" 2>/dev/null)
mstart_n=$(date -u -d "$mstart" +%s%N 2>/dev/null || echo 0)
first=$(docker logs "$app" 2>&1 | head -n 1 | head -c 200)
if [ "$fin_n" -gt 0 ] && [ "$start_n" -ge "$fin_n" ]; then
  echo "PASS: app started after migrate had finished"
elif [ "$mstart_n" -gt "$start_n" ] && [ "$first" = "schema-v2" ]; then
  # A later `up` ran migrate again; app, unchanged, kept running and found the marker at its start.
  echo "PASS: app started after a finished migration (migrate has run again since)"
else
  echo "FAIL: app started after migrate had finished | expected: app StartedAt >= migrate FinishedAt ($fin) | actual: $start"
  fail=1
fi
marker=$(docker exec "$app" cat /data/migrated 2>/dev/null | head -c 200)
if [ "$marker" = "schema-v2" ]; then
  echo "PASS: app sees the marker migrate left in the shared volume"
else
  echo "FAIL: app sees the marker migrate left in the shared volume | expected: schema-v2 in /data/migrated | actual: ${marker:-nothing}"
  fail=1
fi
exit "$fail"
