# From node1's shell; node2 and node3 are driven through their engines on the lab network.
addr=$(ip -o -4 addr show dev eth0 | awk '{ split($4, a, "/"); print a[1]; exit }')
state=$(docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.NodeAddr}} {{.Swarm.ControlAvailable}}')
if [ "$state" != "active $addr true" ]; then
  # Not a manager others can reach (for example one advertising 127.0.0.1): start over.
  docker swarm leave --force >/dev/null 2>&1 || true
  docker swarm init --advertise-addr eth0 >/dev/null
fi
token=$(docker swarm join-token -q worker)
for node in node2 node3; do
  docker -H "tcp://$node:2375" swarm leave --force >/dev/null 2>&1 || true
  docker -H "tcp://$node:2375" swarm join --token "$token" node1:2377 >/dev/null
done
# Nodes that left earlier stay listed as Down: forget them.
docker node ls --filter role=worker --format '{{.ID}} {{.Status}}' | awk '$2 == "Down" { print $1 }' |
  xargs -r docker node rm --force >/dev/null
docker service rm spread >/dev/null 2>&1 || true
docker service create --detach --quiet --name spread --endpoint-mode dnsrr busybox sleep 3600 >/dev/null
docker service scale --detach spread=3 >/dev/null
i=0
while [ "$i" -lt 60 ]; do
  nodes=$(docker service ps spread --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' |
    awk '$2 == "Running" { print $1 }' | sort -u | wc -l)
  [ "$nodes" -eq 3 ] && exit 0
  i=$((i + 1)); sleep 1
done
exit 1
