# Reads the lab engine's real state: the swarm, the service web and its tasks.
clean() { printf '%s' "$1" | tr -d '|\r\n' | head -c 120; }
state=$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)
if [ "$state" != active ]; then
  echo "FAIL: the lab's engine is in swarm mode | expected: active | actual: $(clean "${state:-unknown}")"
  echo "HINT: docker swarm init --advertise-addr eth0"
  exit 1
fi
echo "PASS: the lab's engine is in swarm mode"
spec=$(docker service inspect web --format '{{json .Spec}}' 2>/dev/null | head -c 65536)
if [ -z "$spec" ]; then
  echo "FAIL: a service named web exists | expected: a service | actual: none (docker service ls)"
  exit 1
fi
echo "PASS: a service named web exists"
fails=0
replicas=$(printf '%s' "$spec" | jq -r '.Mode.Replicated.Replicas // "not replicated"' 2>/dev/null)
if [ "$replicas" = 3 ]; then
  echo "PASS: web asks for 3 replicas"
else
  echo "FAIL: web asks for 3 replicas | expected: 3 | actual: $(clean "$replicas")"
  fails=1
fi
image=$(printf '%s' "$spec" | jq -r '.TaskTemplate.ContainerSpec.Image // "none"' 2>/dev/null)
case "${image%%@*}" in
  busybox|busybox:*|docker.io/library/busybox|docker.io/library/busybox:*) echo "PASS: web runs the image busybox" ;;
  *) echo "FAIL: web runs the image busybox | expected: busybox (from the lab's mirror) | actual: $(clean "$image")"; fails=1 ;;
esac
args=$(printf '%s' "$spec" | jq -r '[(.TaskTemplate.ContainerSpec.Command // []), (.TaskTemplate.ContainerSpec.Args // [])] | add | join(" ")' 2>/dev/null)
case " $args " in
  " httpd"*" -f "*) echo "PASS: web runs httpd in the foreground ($(clean "$args"))" ;;
  *) echo "FAIL: web runs httpd in the foreground | expected: httpd -f -p 80 -h / | actual: $(clean "${args:-no command}")"
     echo "HINT: without -f, httpd goes to the background, the task's main process exits and Swarm keeps restarting it"
     fails=1 ;;
esac
# Tasks take a moment to start: look again for up to about 5 seconds.
i=0
while :; do
  running=$(docker service ps web --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null | grep -c '^Running')
  [ "$running" -ge 3 ] || [ "$i" -ge 10 ] && break
  i=$((i + 1)); sleep 0.5
done
if [ "$running" -eq 3 ]; then
  echo "PASS: 3 tasks of web are running"
else
  echo "FAIL: 3 tasks of web are running | expected: 3 | actual: $running"
  echo "HINT: docker service ps web --no-trunc shows why a task is not running"
  fails=1
fi
[ "$fails" = 0 ]
