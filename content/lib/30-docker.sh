# The lab's Docker engine, read by checks (they see it directly).

# inspect FORMAT OBJECT: one field of a container, image, volume or network
# (empty if there is no such object).
inspect() { docker inspect -f "$1" "$2" 2>/dev/null | head -c 8192; }

# require_running NAME: stops unless the container NAME is running.
require_running() {
  _state=$(inspect '{{.State.Status}}' "$1")
  [ -n "$_state" ] || stop "a container named $1 exists" "docker run --name $1 ..." "no such container"
  [ "$_state" = running ] || stop "$1 is running" "running" "$_state" "docker logs $1 shows why it stopped"
  pass "$1 is running"
}

# require_container NAME [HINT]: stops unless a container NAME exists
# (running or not).
require_container() {
  [ -n "$(inspect '{{.State.Status}}' "$1")" ] ||
    stop "a container named $1 exists" "a container" "none" "${2:-}"
  pass "a container named $1 exists"
}

# copied_out CONTAINER PATH: the first 256 bytes of a file in a container,
# running or stopped (docker cp streams it out; nothing in it runs).
copied_out() {
  docker cp "$1:$2" - 2>/dev/null | head -c 65536 | tar -xOf - 2>/dev/null | head -c 256 | tr -d '\r'
}

# compose_container PROJECT SERVICE: the id of a Compose service's container
# (running or not; empty if there is none).
compose_container() {
  docker ps -aq --filter "label=com.docker.compose.project=$1" \
    --filter "label=com.docker.compose.service=$2" 2>/dev/null | head -n 1
}

# require_image REF: stops unless the image exists in the lab's engine.
require_image() {
  docker image inspect "$1" >/dev/null 2>&1 ||
    stop "the image $1 exists" "docker build -t $1 ..." "no such image"
  pass "the image $1 exists"
}

# in_image IMAGE COMMAND...: runs COMMAND in a throwaway container of IMAGE
# (as root, no network, entrypoint replaced) and prints its output.
in_image() {
  _image=$1; _command=$2; shift 2
  docker run --rm --network none --user 0 --entrypoint "$_command" "$_image" "$@" 2>&1 | head -c 65536
}

# layer_files IMAGE: every path in every layer of IMAGE, one a line; a
# file deleted by a later step still shows, from the layer that added it.
# Streamed: nothing is written to disk.
layer_files() {
  docker save "$1" 2>/dev/null | python3 -c '
import sys, tarfile
outer = tarfile.open(fileobj=sys.stdin.buffer, mode="r|")
for member in outer:
    if not member.isfile():
        continue
    try:
        inner = tarfile.open(fileobj=outer.extractfile(member), mode="r|")
        for entry in inner:
            print(entry.name)
    except tarfile.TarError:
        pass
'
}

# Swarm services, read by checks on a manager.

# require_service NAME [HINT]: stops unless the swarm service NAME exists.
require_service() {
  [ -n "$(service_spec "$1")" ] || stop "a service named $1 exists" "a service" "none (docker service ls)" "${2:-}"
  pass "a service named $1 exists"
}

# service_spec NAME: the service's spec as JSON (empty if there is none).
service_spec() { docker service inspect "$1" --format '{{json .Spec}}' 2>/dev/null | head -c 65536; }

# service_field NAME FIELD: replicas, image, command (with its arguments),
# mode (of its endpoint) or a jq filter over the spec.
service_field() {
  case $2 in
    replicas) _filter='.Mode.Replicated.Replicas // "not replicated"' ;;
    image) _filter='.TaskTemplate.ContainerSpec.Image // "none"' ;;
    command) _filter='[(.TaskTemplate.ContainerSpec.Command // []), (.TaskTemplate.ContainerSpec.Args // [])] | add | join(" ")' ;;
    mode) _filter='.EndpointSpec.Mode // "vip"' ;;
    *) _filter=$2 ;;
  esac
  service_spec "$1" | jq -r "$_filter" 2>/dev/null
}

# running_tasks NAME: how many of the service's tasks are running now.
running_tasks() {
  docker service ps "$1" --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null | grep -c '^Running'
}

# tasks_running NAME COUNT: whether at least COUNT tasks of NAME run (for
# retry: tasks take a moment to start).
tasks_running() { [ "$(running_tasks "$1")" -ge "$2" ]; }

# expect_busybox SERVICE: passes if the service runs the busybox image
# (however the lab's mirror names it).
expect_busybox() {
  _image=$(service_field "$1" image)
  case "${_image%%@*}" in
    busybox|busybox:*|docker.io/library/busybox|docker.io/library/busybox:*) pass "$1 runs the image busybox" ;;
    *) fail "$1 runs the image busybox" "busybox (from the lab's mirror)" "$_image" ;;
  esac
}

# prefetch IMAGE...: once the lab's engine answers, pulls each IMAGE from
# the mirror (for warm.sh: the learner's first `docker run`, `docker build`
# or `docker compose up` then finds them present). Fails if one does not
# pull.
prefetch() {
  retry 60 docker info >/dev/null 2>&1 || return 1
  for _image in "$@"; do
    docker pull -q "$_image" >/dev/null || return 1
  done
}
