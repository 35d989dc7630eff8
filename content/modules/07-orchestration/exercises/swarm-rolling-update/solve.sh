docker service update --env-add GREETING=bonjour --update-parallelism 1 --update-delay 1s hello >/dev/null 2>&1
# Swarm watches the last new task for a few seconds (--update-monitor) before it calls the update completed.
i=0
while [ "$i" -lt 30 ] && [ "$(docker service inspect hello --format '{{.UpdateStatus.State}}')" != completed ]; do
  i=$((i + 1)); sleep 0.5
done
