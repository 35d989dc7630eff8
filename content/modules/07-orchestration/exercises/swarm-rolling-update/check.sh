# Reads the service hello from the lab's engine: its new spec and how the rollout went.
[ -n "$(service_spec hello)" ] || stop "the service hello exists" "a service" "none" "Reset the lab to get the service back"
pass "the service hello exists"
env=$(service_field hello '.TaskTemplate.ContainerSpec.Env // [] | map(select(startswith("GREETING="))) | join(" ")')
expect_is "the new spec sets GREETING=bonjour" GREETING=bonjour "${env:-no GREETING}"
par=$(service_field hello '.UpdateConfig.Parallelism // 0')
[ "$par" = 1 ] && pass "updates replace 1 task at a time" || fail "updates replace 1 task at a time" "--update-parallelism 1" "$par"
delay=$(service_field hello '.UpdateConfig.Delay // 0')
[ "$delay" = 1000000000 ] && pass "1s between batches" || fail "1s between batches" "--update-delay 1s" "$delay ns"
# A rollout of 3 tasks takes several seconds: look again for up to about 5 seconds.
i=0
while :; do
  st=$(docker service inspect hello --format '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{else}}never updated{{end}}' 2>/dev/null)
  [ "$st" = completed ] || [ "$i" -ge 10 ] && break
  case "$st" in updating) ;; *) [ "$i" -ge 2 ] && break ;; esac
  i=$((i + 1)); sleep 0.5
done
if [ "$st" = completed ]; then
  pass "the rolling update completed"
else
  fail "the rolling update completed" "completed" "${st:-unknown}"
  [ "$st" = updating ] && hint "still rolling: wait a few seconds and check again"
fi
expect_is "3 tasks of hello are running" 3 "$(running_tasks hello)"
verdict
