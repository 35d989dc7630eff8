docker image inspect mini >/dev/null 2>&1 ||
  tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - mini >/dev/null
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi
docker service create --detach --name web --replicas 3 mini httpd -f -p 80 -h / >/dev/null 2>&1
