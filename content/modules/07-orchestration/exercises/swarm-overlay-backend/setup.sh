# A swarm on node1 without api, probe or backend. Idempotent.
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr eth0 >/dev/null
fi
docker service rm probe api >/dev/null 2>&1 || true
# Their containers would take 10s to stop (PID 1 ignores SIGTERM): remove them now.
for svc in probe api; do
  docker ps -aq --filter "label=com.docker.swarm.service.name=$svc" | xargs -r docker rm -f >/dev/null 2>&1
done
# The network goes once the removed tasks have left it.
i=0
while docker network inspect backend >/dev/null 2>&1 && [ "$i" -lt 20 ]; do
  docker network rm backend >/dev/null 2>&1 || sleep 0.5
  i=$((i + 1))
done
