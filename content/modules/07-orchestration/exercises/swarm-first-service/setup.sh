# Start without a service called web (the swarm itself may stay, if there is one).
docker service rm web >/dev/null 2>&1 || true
