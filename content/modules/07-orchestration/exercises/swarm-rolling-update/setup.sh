# A swarm on node1 running the service hello (3 tasks, GREETING=hello), with busybox
# from the lab's mirror. Idempotent: a reset brings hello back to its first version.
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr eth0 >/dev/null
fi
docker service rm hello >/dev/null 2>&1 || true
docker service create --detach --name hello --init --replicas 3 --env GREETING=hello \
  --update-parallelism 3 --update-delay 0s busybox httpd -f -p 80 -h / >/dev/null 2>&1
