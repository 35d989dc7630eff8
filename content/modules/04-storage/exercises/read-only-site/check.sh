# The real container: its mounts and ports from the engine, and the page
# fetched over the published port.
set -f
state=$(docker inspect --format '{{.State.Status}}' site 2>/dev/null | head -c 64)
if [ -z "$state" ]; then
  echo "FAIL: a container named site exists | expected: a container | actual: none"
  exit 1
fi
echo "PASS: a container named site exists"
status=0
if [ "$state" = "running" ]; then
  echo "PASS: site is running"
else
  echo "FAIL: site is running | expected: running | actual: $state"
  echo "HINT: docker logs site tells you why it stopped; httpd needs -f to stay in the foreground"
  status=1
fi
mount=$(docker inspect --format '{{range .Mounts}}{{if eq .Destination "/www"}}{{.Type}} {{.Source}} {{.RW}}{{end}}{{end}}' site 2>/dev/null | head -c 512)
if [ -z "$mount" ]; then
  echo "FAIL: something is mounted at /www | expected: ~/site bind-mounted at /www | actual: no mount at /www"
  status=1
else
  set -- $mount
  if [ "$1" = "bind" ] && [ "$2" = "/home/learner/site" ]; then
    echo "PASS: ~/site is bind-mounted at /www"
  else
    echo "FAIL: ~/site is bind-mounted at /www | expected: bind /home/learner/site | actual: $1 $2"
    [ "$1" = "volume" ] && echo "HINT: a source without a leading / is a volume name; use the absolute path \"\$HOME/site\""
    status=1
  fi
  if [ "$3" = "false" ]; then
    echo "PASS: the mount is read-only (RW=false)"
  else
    echo "FAIL: the mount is read-only | expected: RW=false | actual: RW=$3"
    echo "HINT: add :ro after the target (-v SRC:/www:ro) or readonly to --mount"
    status=1
  fi
fi
port=$(docker inspect --format '{{range $p, $b := .HostConfig.PortBindings}}{{if eq $p "80/tcp"}}{{range $b}}{{.HostPort}} {{end}}{{end}}{{end}}' site 2>/dev/null | head -c 256)
case " $port" in
  *" 8081 "*) echo "PASS: container port 80 is published on host port 8081" ;;
  *)
    echo "FAIL: container port 80 is published on host port 8081 | expected: -p 8081:80 | actual: ${port:-not published}"
    echo "HINT: -p HOST:CONTAINER, so -p 8081:80"
    status=1 ;;
esac
want=$(head -c 65536 "$LAB_HOME/site/index.html" 2>/dev/null)
got=$(curl -fs --max-time 3 http://127.0.0.1:8081/ 2>/dev/null | head -c 65536)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
  echo "PASS: http://127.0.0.1:8081/ serves ~/site/index.html"
else
  echo "FAIL: http://127.0.0.1:8081/ serves ~/site/index.html | expected: the page from ~/site | actual: $(printf '%s' "$got" | head -n 1 | cut -c1-80)"
  [ -z "$got" ] && echo "HINT: curl -v http://127.0.0.1:8081/ from the terminal; httpd must serve /www (-h /www) on port 80 (-p 80)"
  status=1
fi
exit "$status"
