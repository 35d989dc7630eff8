# Reads the lab's engine: the network backend, the services api and probe, and probe's logs.
clean() { printf '%s' "$1" | tr -d '|\r\n' | head -c 120; }
fails=0
net=$(docker network inspect backend --format '{{.Driver}} {{.Attachable}} {{.Scope}}' 2>/dev/null)
if [ "$net" = "overlay true swarm" ]; then
  echo "PASS: backend is an attachable overlay network"
else
  echo "FAIL: backend is an attachable overlay network | expected: overlay true swarm (driver, attachable, scope) | actual: $(clean "${net:-no network backend}")"
  fails=1
fi
netid=$(docker network inspect backend --format '{{.Id}}' 2>/dev/null)
on_backend() {
  [ -n "$netid" ] && docker service inspect "$1" --format '{{json .Spec.TaskTemplate.Networks}}' 2>/dev/null |
    head -c 65536 | jq -e --arg id "$netid" 'any(.[]?; .Target == $id or .Target == "backend")' >/dev/null 2>&1
}
running() {
  docker service ps "$1" --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null | grep -c '^Running'
}
spec=$(docker service inspect api --format '{{json .Spec}}' 2>/dev/null | head -c 65536)
if [ -z "$spec" ]; then
  echo "FAIL: a service named api exists | expected: a service | actual: none"
  exit 1
fi
if on_backend api; then echo "PASS: api is attached to backend"; else
  echo "FAIL: api is attached to backend | expected: --network backend | actual: not on backend"; fails=1; fi
mode=$(printf '%s' "$spec" | jq -r '.EndpointSpec.Mode // "vip"' 2>/dev/null)
if [ "$mode" = dnsrr ]; then echo "PASS: api uses DNS round robin"; else
  echo "FAIL: api uses DNS round robin | expected: --endpoint-mode dnsrr | actual: $(clean "$mode")"; fails=1; fi
replicas=$(printf '%s' "$spec" | jq -r '.Mode.Replicated.Replicas // "not replicated"' 2>/dev/null)
if [ "$replicas" = 2 ]; then echo "PASS: api asks for 2 replicas"; else
  echo "FAIL: api asks for 2 replicas | expected: 2 | actual: $(clean "$replicas")"; fails=1; fi
args=$(printf '%s' "$spec" | jq -r '[(.TaskTemplate.ContainerSpec.Command // []), (.TaskTemplate.ContainerSpec.Args // [])] | add | join(" ")' 2>/dev/null)
case " $args " in
  " httpd"*" -f "*) echo "PASS: api runs httpd in the foreground" ;;
  *) echo "FAIL: api runs httpd in the foreground | expected: httpd -f -p 80 -h / | actual: $(clean "${args:-no command}")"; fails=1 ;;
esac
pspec=$(docker service inspect probe --format '{{json .Spec}}' 2>/dev/null | head -c 65536)
if [ -z "$pspec" ]; then
  echo "FAIL: a service named probe exists | expected: a service | actual: none"
  exit 1
fi
if on_backend probe; then echo "PASS: probe is attached to backend"; else
  echo "FAIL: probe is attached to backend | expected: --network backend | actual: not on backend"; fails=1; fi
pargs=$(printf '%s' "$pspec" | jq -r '[(.TaskTemplate.ContainerSpec.Command // []), (.TaskTemplate.ContainerSpec.Args // [])] | add | join(" ")' 2>/dev/null)
case "$pargs" in
  *"wget "*"http://api/"*) echo "PASS: probe fetches http://api/ with wget" ;;
  *) echo "FAIL: probe fetches http://api/ with wget | expected: the probe command of the lesson | actual: $(clean "${pargs:-no command}")"; fails=1 ;;
esac
# Tasks start and names resolve within a few seconds: look again for up to about 5 seconds.
i=0
while :; do
  a=$(running api)
  seen=$(docker service logs --raw probe 2>/dev/null | head -c 65536 | grep -c '^reached api')
  { [ "$a" -eq 2 ] && [ "$seen" -ge 1 ]; } || [ "$i" -ge 10 ] && break
  i=$((i + 1)); sleep 0.5
done
if [ "$a" -eq 2 ]; then echo "PASS: 2 tasks of api are running"; else
  echo "FAIL: 2 tasks of api are running | expected: 2 | actual: $a"; fails=1; fi
if [ "$seen" -ge 1 ]; then echo "PASS: probe's logs say it reached api by name"; else
  echo "FAIL: probe's logs say it reached api by name | expected: a line \"reached api\" in docker service logs probe | actual: none yet"
  echo "HINT: with the default endpoint mode (vip), the name api has no working address in the lab: use --endpoint-mode dnsrr"
  fails=1
fi
[ "$fails" = 0 ]
