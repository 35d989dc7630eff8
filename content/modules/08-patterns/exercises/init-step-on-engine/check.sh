# Looks at the engine's real state for the Compose project "init-live"; runs nothing of the learner's.
P=init-live
mig=$(compose_container "$P" migrate)
app=$(compose_container "$P" app)
if [ -z "$mig" ] || [ -z "$app" ]; then
  fail "services migrate and app of project $P exist" "two containers" "migrate=${mig:-none} app=${app:-none}"
  hint "run docker compose up -d inside ~/init-live"
  exit 1
fi
pass "services migrate and app exist"
expect_is "migrate ran once and exited 0" "exited 0" "$(inspect '{{.State.Status}} {{.State.ExitCode}}' "$mig")"
expect_is "app is running" running "$(inspect '{{.State.Status}}' "$app")" \
  "app exits 1 when it starts before the marker exists; docker compose logs app shows it"
deps=$(docker inspect --format '{{index .Config.Labels "com.docker.compose.depends_on"}}' "$app" 2>/dev/null)
case "$deps" in
  *migrate:service_completed_successfully*)
    pass "app depends on migrate with condition service_completed_successfully" ;;
  *)
    fail "app depends on migrate with condition service_completed_successfully" "migrate:service_completed_successfully" "${deps:-no depends_on}"
    hint "use the long form: depends_on: / migrate: / condition: service_completed_successfully" ;;
esac
fin=$(docker inspect --format '{{.State.FinishedAt}}' "$mig" 2>/dev/null)
start=$(docker inspect --format '{{.State.StartedAt}}' "$app" 2>/dev/null)
fin_n=$(date -u -d "$fin" +%s%N 2>/dev/null || echo 0)
start_n=$(date -u -d "$start" +%s%N 2>/dev/null || echo 0)
mstart=$(docker inspect --format '{{.State.StartedAt}}' "$mig" 2>/dev/null)
mstart_n=$(date -u -d "$mstart" +%s%N 2>/dev/null || echo 0)
first=$(docker logs "$app" 2>&1 | head -n 1 | head -c 200)
if [ "$fin_n" -gt 0 ] && [ "$start_n" -ge "$fin_n" ]; then
  pass "app started after migrate had finished"
elif [ "$mstart_n" -gt "$start_n" ] && [ "$first" = "schema-v2" ]; then
  # A later `up` ran migrate again; app, unchanged, kept running and found the marker at its start.
  pass "app started after a finished migration (migrate has run again since)"
else
  fail "app started after migrate had finished" "app StartedAt >= migrate FinishedAt ($fin)" "$start"
fi
marker=$(docker exec "$app" cat /data/migrated 2>/dev/null | head -c 200)
if [ "$marker" = "schema-v2" ]; then
  pass "app sees the marker migrate left in the shared volume"
else
  fail "app sees the marker migrate left in the shared volume" "schema-v2 in /data/migrated" "${marker:-nothing}"
fi
verdict
