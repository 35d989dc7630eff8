# The lab's image, made from its static busybox (no registry here). Idempotent.
docker image inspect mini >/dev/null 2>&1 ||
  tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - mini >/dev/null
# Start without a service called web (the swarm itself may stay, if there is one).
docker service rm web >/dev/null 2>&1 || true
