if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr eth0 >/dev/null
fi
docker service create --detach --name web --replicas 3 busybox httpd -f -p 80 -h / >/dev/null 2>&1
