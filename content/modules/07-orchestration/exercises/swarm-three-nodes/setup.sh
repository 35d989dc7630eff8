# Start without a service called spread. The swarm itself stays as the other
# exercises' setup left it (node1 alone): joining the others is the exercise.
if [ "$(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = true ]; then
  docker service rm spread >/dev/null 2>&1 || true
fi
