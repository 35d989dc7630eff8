# Runs on node1 and reads its engine: the manager's own view of the swarm, the
# service spread and where its tasks run. Names and states come from the
# learner's cluster, so every value is trimmed before it is printed.
clean() { printf '%s' "$1" | tr -d '|\r' | tr '\n' ' ' | head -c 120; }
info=$(docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeAddr}}' 2>/dev/null | head -c 200)
set -f; set -- $info
state=${1:-unknown} manager=${2:-false} addr=${3:-none}
if [ "$state" != active ] || [ "$manager" != true ]; then
  echo "FAIL: node1 is a swarm manager | expected: active, manager | actual: $(clean "$state"), $( [ "$manager" = true ] && echo manager || echo not a manager)"
  echo "HINT: in node1's tab: docker swarm init --advertise-addr eth0"
  exit 1
fi
echo "PASS: node1 is a swarm manager"
case "$addr" in
  127.*|none|'')
    echo "FAIL: node1 advertises an address the other nodes can reach | expected: node1's eth0 address | actual: $(clean "$addr")"
    echo "HINT: a manager on 127.0.0.1 cannot be joined: docker swarm leave --force, then docker swarm init --advertise-addr eth0"
    exit 1 ;;
esac
echo "PASS: node1 advertises $(clean "$addr")"
leader=$(docker node inspect self --format '{{if .ManagerStatus}}{{.ManagerStatus.Leader}}{{end}}' 2>/dev/null | head -c 20)
if [ "$leader" != true ]; then
  echo "FAIL: node1 leads the swarm | expected: Leader | actual: another manager leads"
  echo "HINT: start the swarm on node1 and join node2 and node3 to it, not the other way round"
  exit 1
fi
echo "PASS: node1 leads the swarm"

fails=0
# One "hostname status" line per node the manager knows (at most a few dozen lines read).
nodes=$(docker node ls --format '{{.Hostname}} {{.Status}}' 2>/dev/null | head -n 50 | head -c 4000)
for n in node2 node3; do
  st=$(printf '%s\n' "$nodes" | awk -v n="$n" '$1 == n && $2 == "Ready" { print "Ready"; exit }')
  if [ "$st" = Ready ]; then
    echo "PASS: $n has joined and is Ready"
  else
    seen=$(printf '%s\n' "$nodes" | awk -v n="$n" '$1 == n { print $2 }' | sort -u | tr '\n' ' ')
    echo "FAIL: $n has joined and is Ready | expected: $n Ready in docker node ls | actual: $(clean "${seen:-not in the swarm}")"
    fails=1
  fi
done
if [ "$fails" != 0 ]; then
  echo "HINT: run docker swarm join-token worker on node1 and paste the command it prints into node2's and node3's tabs"
  exit 1
fi
down=$(printf '%s\n' "$nodes" | awk '$2 != "Ready"' | wc -l)
[ "$down" -gt 0 ] && echo "HINT: docker node ls still lists $down node(s) that left; docker node rm removes them"

spec=$(docker service inspect spread --format '{{json .Spec}}' 2>/dev/null | head -c 65536)
if [ -z "$spec" ]; then
  echo "FAIL: a service named spread exists | expected: a service | actual: none (docker service ls)"
  exit 1
fi
echo "PASS: a service named spread exists"
image=$(printf '%s' "$spec" | jq -r '.TaskTemplate.ContainerSpec.Image // "none"' 2>/dev/null)
case "${image%%@*}" in
  busybox|busybox:*|docker.io/library/busybox|docker.io/library/busybox:*) echo "PASS: spread runs busybox" ;;
  *) echo "FAIL: spread runs busybox | expected: busybox (from the lab's mirror) | actual: $(clean "$image")"; fails=1 ;;
esac
mode=$(printf '%s' "$spec" | jq -r '.EndpointSpec.Mode // "vip"' 2>/dev/null)
if [ "$mode" = dnsrr ]; then echo "PASS: spread uses DNS round robin"; else
  echo "FAIL: spread uses DNS round robin | expected: --endpoint-mode dnsrr | actual: $(clean "$mode")"; fails=1; fi
replicas=$(printf '%s' "$spec" | jq -r '.Mode.Replicated.Replicas // "not replicated"' 2>/dev/null)
if [ "$replicas" = 3 ]; then echo "PASS: spread asks for 3 replicas"; else
  echo "FAIL: spread asks for 3 replicas | expected: 3 | actual: $(clean "$replicas")"; fails=1; fi
[ "$fails" = 0 ] || exit 1

# Tasks on new nodes pull the image first: look again for up to about 10 seconds.
i=0
while :; do
  tasks=$(docker service ps spread --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' 2>/dev/null |
    head -n 50 | awk '$2 == "Running" { print $1 }')
  running=$(printf '%s\n' "$tasks" | grep -c .)
  where=$(printf '%s\n' "$tasks" | grep . | sort -u | tr '\n' ' ' | sed 's/ $//')
  spread=$(printf '%s\n' "$tasks" | grep -xE 'node[123]' | sort -u | wc -l)
  { [ "$running" -eq 3 ] && [ "$spread" -eq 3 ]; } || [ "$i" -ge 20 ] && break
  i=$((i + 1)); sleep 0.5
done
if [ "$running" -eq 3 ]; then echo "PASS: 3 tasks of spread are running"; else
  echo "FAIL: 3 tasks of spread are running | expected: 3 | actual: $running"
  echo "HINT: docker service ps spread --no-trunc shows why a task is not running"
  exit 1
fi
if [ "$spread" -eq 3 ]; then
  echo "PASS: one task on each of node1, node2 and node3"
else
  echo "FAIL: one task on each of node1, node2 and node3 | expected: node1 node2 node3 | actual: $(clean "${where:-no node}")"
  echo "HINT: Swarm places tasks when they start and never moves running ones; docker service update --force spread places them again"
  exit 1
fi
