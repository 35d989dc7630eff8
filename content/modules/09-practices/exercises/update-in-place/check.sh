# Reads edge's HostConfig: the new settings on the container setup made.
require_running edge
role=$(inspect '{{index .Config.Labels "org.example.role"}}' edge)
created=$(inspect '{{.Created}}' edge)
started=$(inspect '{{.State.StartedAt}}' edge)
if [ "$role" = edge-cache ]; then
  pass "edge is the container the lab started (created $(clean "${created%%.*}"))"
else
  fail "edge is the container the lab started" "the same container, changed in place" "a new container without its label"
  hint "docker rm and run again makes a new container; reset the lab to get the old one back"
fi
memory=$(inspect '{{.HostConfig.Memory}}' edge)
if [ "$memory" = 134217728 ]; then
  pass "edge may use 128 MiB"
else
  fail "edge may use 128 MiB" "134217728 bytes" "${memory:-0} bytes"
fi
policy=$(inspect '{{.HostConfig.RestartPolicy.Name}}' edge)
if [ "$policy" = unless-stopped ]; then
  pass "edge restarts unless stopped"
else
  fail "edge restarts unless stopped" "unless-stopped" "${policy:-no}"
fi
verdict
