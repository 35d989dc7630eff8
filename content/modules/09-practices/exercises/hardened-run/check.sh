# Reads the running container's HostConfig and asks the process itself.
require_running invoice
image=$(inspect '{{.Config.Image}}' invoice)
[ "$image" = shop/invoice:2.3.1 ] && pass "invoice runs shop/invoice:2.3.1" ||
  fail "invoice runs shop/invoice:2.3.1" "shop/invoice:2.3.1" "$image"
uid=$(docker exec invoice id -u 2>/dev/null)
case "$uid" in
  "" | 0) fail "the process is not root" "--user 10001:10001" "uid ${uid:-unknown}" ;;
  *) pass "the process runs as uid $uid" ;;
esac
drop=$(inspect '{{join .HostConfig.CapDrop " "}}' invoice)
add=$(inspect '{{join .HostConfig.CapAdd " "}}' invoice)
effective=$(docker exec invoice sh -c 'grep ^CapBnd /proc/1/status' 2>/dev/null | awk '{print $2}')
case " $drop " in
  *" ALL "* | *" all "*) [ -z "$add" ] && [ "$effective" = 0000000000000000 ] &&
      pass "every capability is dropped (CapBnd $effective)" ||
      fail "every capability is dropped" "--cap-drop ALL and nothing added" "added: $add, CapBnd $effective" ;;
  *) fail "every capability is dropped" "--cap-drop ALL" "${drop:-none dropped}" ;;
esac
opts=$(inspect '{{join .HostConfig.SecurityOpt " "}}' invoice)
nnp=$(docker exec invoice sh -c 'grep ^NoNewPrivs /proc/1/status' 2>/dev/null | awk '{print $2}')
[ "$nnp" = 1 ] && pass "no-new-privileges is on ($opts)" ||
  fail "no-new-privileges is on" "--security-opt no-new-privileges" "${opts:-no security options}"
ro=$(inspect '{{.HostConfig.ReadonlyRootfs}}' invoice)
tmp=$(inspect '{{range $k, $v := .HostConfig.Tmpfs}}{{$k}} {{end}}' invoice)
case "$ro $tmp" in
  "true "*"/tmp "*) pass "the root file system is read-only, with a tmpfs at /tmp" ;;
  *) fail "the root file system is read-only, with a tmpfs at /tmp" "--read-only --tmpfs /tmp" "read-only: $ro, tmpfs: ${tmp:-none}" ;;
esac
memory=$(inspect '{{.HostConfig.Memory}}' invoice)
cpus=$(inspect '{{.HostConfig.NanoCpus}}' invoice)
pids=$(inspect '{{.HostConfig.PidsLimit}}' invoice)
if [ "${memory:-0}" -gt 0 ] && [ "${cpus:-0}" -gt 0 ] && [ "${pids:-0}" -gt 0 ] 2>/dev/null; then
  pass "memory, CPUs and processes are limited ($((memory / 1048576)) MiB, $cpus nano-CPUs, $pids processes)"
else
  fail "memory, CPUs and processes are limited" "--memory, --cpus and --pids-limit" "memory ${memory:-0}, cpus ${cpus:-0}, pids ${pids:-0}"
fi
key=$(inspect '{{range .Mounts}}{{if eq .Destination "/run/secrets/api-key"}}{{.Type}} {{.RW}}{{end}}{{end}}' invoice)
[ "$key" = "bind false" ] && pass "the key is a read-only file at /run/secrets/api-key" ||
  fail "the key is a read-only file at /run/secrets/api-key" "-v ~/invoice/secrets/api-key.txt:/run/secrets/api-key:ro" "${key:-no mount there}"
if inspect '{{json .Config.Env}}' invoice | grep -q 'inv_live_'; then
  fail "the key's value is not in the environment" "only API_KEY_FILE=/run/secrets/api-key" "docker inspect shows the key"
else
  pass "the key's value is not in the environment"
fi
if retry 3 http_says http://127.0.0.1:8080/health "ok, key"; then
  pass "http://localhost:8080/health answers"
else
  fail "http://localhost:8080/health answers" "ok, key ..." "$(body http://127.0.0.1:8080/health)"
  hint "docker logs invoice says why it stopped"
fi
verdict
