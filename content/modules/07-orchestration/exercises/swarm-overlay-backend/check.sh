# Reads the lab's engine: the network backend, the services api and probe, and probe's logs.
net=$(docker network inspect backend --format '{{.Driver}} {{.Attachable}} {{.Scope}}' 2>/dev/null)
expect_is "backend is an attachable overlay network" "overlay true swarm" "${net:-no network backend}"
netid=$(docker network inspect backend --format '{{.Id}}' 2>/dev/null)
on_backend() {
  [ -n "$netid" ] && docker service inspect "$1" --format '{{json .Spec.TaskTemplate.Networks}}' 2>/dev/null |
    head -c 65536 | jq -e --arg id "$netid" 'any(.[]?; .Target == $id or .Target == "backend")' >/dev/null 2>&1
}
require_service api
if on_backend api; then pass "api is attached to backend"; else
  fail "api is attached to backend" "--network backend" "not on backend"; fi
expect_is "api uses DNS round robin" dnsrr "$(service_field api mode)" "--endpoint-mode dnsrr"
expect_is "api asks for 2 replicas" 2 "$(service_field api replicas)"
case " $(service_field api command) " in
  " httpd"*" -f "*) pass "api runs httpd in the foreground" ;;
  *) fail "api runs httpd in the foreground" "httpd -f -p 80 -h /" "$(service_field api command)" ;;
esac
require_service probe
if on_backend probe; then pass "probe is attached to backend"; else
  fail "probe is attached to backend" "--network backend" "not on backend"; fi
pargs=$(service_field probe command)
case "$pargs" in
  *"wget "*"http://api/"*) pass "probe fetches http://api/ with wget" ;;
  *) fail "probe fetches http://api/ with wget" "the probe command of the lesson" "${pargs:-no command}" ;;
esac
# Tasks start and names resolve within a few seconds: look again for up to about 5 seconds.
i=0
while :; do
  a=$(running_tasks api)
  seen=$(docker service logs --raw probe 2>/dev/null | head -c 65536 | grep -c '^reached api')
  { [ "$a" -eq 2 ] && [ "$seen" -ge 1 ]; } || [ "$i" -ge 10 ] && break
  i=$((i + 1)); sleep 0.5
done
expect_is "2 tasks of api are running" 2 "$a"
if [ "$seen" -ge 1 ]; then pass "probe's logs say it reached api by name"; else
  fail "probe's logs say it reached api by name" "a line \"reached api\" in docker service logs probe" "none yet"
  hint "with the default endpoint mode (vip), the name api has no working address in the lab: use --endpoint-mode dnsrr"
fi
verdict
