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
