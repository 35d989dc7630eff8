# A one-node swarm running the service hello (3 tasks, GREETING=hello). Idempotent:
# a reset brings hello back to its first version.
docker image inspect mini >/dev/null 2>&1 ||
  tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - mini >/dev/null
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi
docker service rm hello >/dev/null 2>&1 || true
docker service create --detach --name hello --init --replicas 3 --env GREETING=hello \
  --update-parallelism 3 --update-delay 0s mini httpd -f -p 80 -h / >/dev/null 2>&1
