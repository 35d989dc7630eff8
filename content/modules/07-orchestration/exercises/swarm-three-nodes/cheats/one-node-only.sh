# A swarm of one: three replicas, all on node1.
[ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = active ] || docker swarm init --advertise-addr eth0
docker service create --detach --name spread --replicas 3 busybox sleep 3600
sleep 3
