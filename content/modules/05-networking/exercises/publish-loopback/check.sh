# The engine's record of the published port, then what really answers.
state=$(docker container inspect -f '{{.State.Status}}' panel 2>/dev/null | head -c 40)
if [ -z "$state" ]; then
  echo "FAIL: a container named panel exists | expected: docker run -d --name panel ... | actual: no such container"
  exit 1
fi
if [ "$state" != "running" ]; then
  echo "FAIL: panel is running | expected: running | actual: $state"
  echo "HINT: docker logs panel shows why it stopped"
  exit 1
fi
echo "PASS: panel is running"
status=0
# One "port=address:hostport" word per binding, e.g. 80/tcp=127.0.0.1:8081
bindings=$(docker container inspect -f '{{range $p, $list := .HostConfig.PortBindings}}{{range $list}}{{$p}}={{.HostIp}}:{{.HostPort}} {{end}}{{end}}' panel 2>/dev/null | head -c 500)
shown=$(printf '%s' "$bindings" | sed 's/ *$//')
case " $bindings" in
  *" 80/tcp=127.0.0.1:8081 "*)
    echo "PASS: container port 80 is published as 127.0.0.1:8081" ;;
  *" 80/tcp=:8081 "*|*" 80/tcp=0.0.0.0:8081 "*|*" 80/tcp=[::]:8081 "*)
    echo "FAIL: the port is published on loopback only | expected: 80/tcp=127.0.0.1:8081 | actual: $shown (every address)"
    echo "HINT: put the address in front: -p 127.0.0.1:8081:80, then remove and run the container again"
    status=1 ;;
  *)
    echo "FAIL: container port 80 is published on host port 8081 | expected: 80/tcp=127.0.0.1:8081 | actual: ${shown:-nothing published}"
    status=1 ;;
esac
body=$(curl -s -m 3 http://127.0.0.1:8081/ | head -c 2000)
case "$body" in
  *"Staff panel"*) echo "PASS: http://127.0.0.1:8081/ serves ~/panel" ;;
  *)
    echo "FAIL: http://127.0.0.1:8081/ serves ~/panel | expected: the page from ~/panel/index.html | actual: $(printf '%s' "$body" | head -c 80 | tr '\n' ' ')"
    echo "HINT: mount the folder with -v /home/learner/panel:/www:ro and serve it with httpd -f -p 80 -h /www"
    status=1 ;;
esac
ip=$(ip -o -4 addr show dev eth0 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')
if [ -n "$ip" ]; then
  if curl -s -m 2 -o /dev/null "http://$ip:8081/"; then
    echo "FAIL: port 8081 stays closed on the lab's network address | expected: connection refused on $ip:8081 | actual: it answered"
    status=1
  else
    echo "PASS: port 8081 is closed on the lab's network address $ip"
  fi
fi
exit "$status"
