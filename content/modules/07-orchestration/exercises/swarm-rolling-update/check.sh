# Reads the service hello from the lab's engine: its new spec and how the rollout went.
clean() { printf '%s' "$1" | tr -d '|\r\n' | head -c 120; }
svc=$(docker service inspect hello --format '{{json .}}' 2>/dev/null | head -c 65536)
if [ -z "$svc" ]; then
  echo "FAIL: the service hello exists | expected: a service | actual: none"
  echo "HINT: Reset the lab to get the service back"
  exit 1
fi
echo "PASS: the service hello exists"
fails=0
env=$(printf '%s' "$svc" | jq -r '.Spec.TaskTemplate.ContainerSpec.Env // [] | map(select(startswith("GREETING="))) | join(" ")' 2>/dev/null)
if [ "$env" = GREETING=bonjour ]; then
  echo "PASS: the new spec sets GREETING=bonjour"
else
  echo "FAIL: the new spec sets GREETING=bonjour | expected: GREETING=bonjour | actual: $(clean "${env:-no GREETING}")"
  fails=1
fi
par=$(printf '%s' "$svc" | jq -r '.Spec.UpdateConfig.Parallelism // 0' 2>/dev/null)
if [ "$par" = 1 ]; then
  echo "PASS: updates replace 1 task at a time"
else
  echo "FAIL: updates replace 1 task at a time | expected: --update-parallelism 1 | actual: $(clean "$par")"
  fails=1
fi
delay=$(printf '%s' "$svc" | jq -r '.Spec.UpdateConfig.Delay // 0' 2>/dev/null)
if [ "$delay" = 1000000000 ]; then
  echo "PASS: 1s between batches"
else
  echo "FAIL: 1s between batches | expected: --update-delay 1s | actual: $(clean "$delay") ns"
  fails=1
fi
# A rollout of 3 tasks takes several seconds: look again for up to about 5 seconds.
i=0
while :; do
  st=$(docker service inspect hello --format '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{else}}never updated{{end}}' 2>/dev/null)
  [ "$st" = completed ] || [ "$i" -ge 10 ] && break
  case "$st" in updating) ;; *) [ "$i" -ge 2 ] && break ;; esac
  i=$((i + 1)); sleep 0.5
done
if [ "$st" = completed ]; then
  echo "PASS: the rolling update completed"
else
  echo "FAIL: the rolling update completed | expected: completed | actual: $(clean "${st:-unknown}")"
  [ "$st" = updating ] && echo "HINT: still rolling: wait a few seconds and check again"
  fails=1
fi
running=$(docker service ps hello --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null | grep -c '^Running')
if [ "$running" -eq 3 ]; then
  echo "PASS: 3 tasks of hello are running"
else
  echo "FAIL: 3 tasks of hello are running | expected: 3 | actual: $running"
  fails=1
fi
[ "$fails" = 0 ]
