# The engine's record of the published port, then what really answers.
require_running panel
# One "port=address:hostport" word per binding, e.g. 80/tcp=127.0.0.1:8081
bindings=$(docker container inspect -f '{{range $p, $list := .HostConfig.PortBindings}}{{range $list}}{{$p}}={{.HostIp}}:{{.HostPort}} {{end}}{{end}}' panel 2>/dev/null | head -c 500)
shown=$(printf '%s' "$bindings" | sed 's/ *$//')
case " $bindings" in
  *" 80/tcp=127.0.0.1:8081 "*)
    pass "container port 80 is published as 127.0.0.1:8081" ;;
  *" 80/tcp=:8081 "*|*" 80/tcp=0.0.0.0:8081 "*|*" 80/tcp=[::]:8081 "*)
    fail "the port is published on loopback only" "80/tcp=127.0.0.1:8081" "$shown (every address)"
    hint "put the address in front: -p 127.0.0.1:8081:80, then remove and run the container again" ;;
  *)
    fail "container port 80 is published on host port 8081" "80/tcp=127.0.0.1:8081" "${shown:-nothing published}" ;;
esac
expect_page http://127.0.0.1:8081/ "Staff panel" "~/panel" \
  "mount the folder with -v /home/learner/panel:/www:ro and serve it with httpd -f -p 80 -h /www"
ip=$(ip -o -4 addr show dev eth0 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')
[ -z "$ip" ] || expect_closed "$ip" 8081 "the lab's network address"
verdict
