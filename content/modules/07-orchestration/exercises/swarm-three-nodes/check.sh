# Runs on node1 and reads its engine: the manager's own view of the swarm, the
# service spread and where its tasks run. Names and states come from the
# learner's cluster, so every value is trimmed before it is printed.
clean() { printf '%s' "$1" | tr -d '|\r' | tr '\n' ' ' | head -c 120; }
info=$(docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeAddr}}' 2>/dev/null | head -c 200)
set -f; set -- $info
state=${1:-unknown} manager=${2:-false} addr=${3:-none}
[ "$state" = active ] && [ "$manager" = true ] ||
  stop "node1 is a swarm manager" "active, manager" \
    "$state, $( [ "$manager" = true ] && echo manager || echo not a manager)" \
    "in node1's tab: docker swarm init --advertise-addr eth0"
pass "node1 is a swarm manager"
case "$addr" in
  127.*|none|'')
    stop "node1 advertises an address the other nodes can reach" "node1's eth0 address" "$addr" \
      "a manager on 127.0.0.1 cannot be joined: docker swarm leave --force, then docker swarm init --advertise-addr eth0" ;;
esac
pass "node1 advertises $(clean "$addr")"
leader=$(docker node inspect self --format '{{if .ManagerStatus}}{{.ManagerStatus.Leader}}{{end}}' 2>/dev/null | head -c 20)
[ "$leader" = true ] || stop "node1 leads the swarm" "Leader" "another manager leads" \
  "start the swarm on node1 and join node2 and node3 to it, not the other way round"
pass "node1 leads the swarm"

# One "hostname status" line per node the manager knows (at most a few dozen lines read).
nodes=$(docker node ls --format '{{.Hostname}} {{.Status}}' 2>/dev/null | head -n 50 | head -c 4000)
for n in node2 node3; do
  st=$(printf '%s\n' "$nodes" | awk -v n="$n" '$1 == n && $2 == "Ready" { print "Ready"; exit }')
  if [ "$st" = Ready ]; then
    pass "$n has joined and is Ready"
  else
    seen=$(printf '%s\n' "$nodes" | awk -v n="$n" '$1 == n { print $2 }' | sort -u | tr '\n' ' ')
    fail "$n has joined and is Ready" "$n Ready in docker node ls" "${seen:-not in the swarm}"
  fi
done
if [ -n "${failed:-}" ]; then
  hint "run docker swarm join-token worker on node1 and paste the command it prints into node2's and node3's tabs"
  exit 1
fi
down=$(printf '%s\n' "$nodes" | awk '$2 != "Ready"' | wc -l)
[ "$down" -gt 0 ] && hint "docker node ls still lists $down node(s) that left; docker node rm removes them"

require_service spread
expect_busybox spread
expect_is "spread uses DNS round robin" dnsrr "$(service_field spread mode)" "--endpoint-mode dnsrr"
expect_is "spread asks for 3 replicas" 3 "$(service_field spread replicas)"
[ -z "${failed:-}" ] || exit 1

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
expect_is "3 tasks of spread are running" 3 "$running" \
  "docker service ps spread --no-trunc shows why a task is not running" || exit 1
expect_is "one task on each of node1, node2 and node3" "node1 node2 node3" "${where:-no node}" \
  "Swarm places tasks when they start and never moves running ones; docker service update --force spread places them again"
verdict
