# Reads the engine's real state: the network, who is attached to it, and
# whether a request from client reaches api by its name.
status=0
driver=$(docker network inspect -f '{{.Driver}}' appnet 2>/dev/null | head -c 40)
if [ -z "$driver" ]; then
  echo "FAIL: a network named appnet exists | expected: docker network create appnet | actual: no such network"
  echo "HINT: docker network ls lists the networks the lab's engine knows"
  exit 1
elif [ "$driver" != "bridge" ]; then
  echo "FAIL: appnet is a bridge network | expected: driver bridge (the default) | actual: $driver"
  status=1
else
  echo "PASS: appnet is a user-defined bridge network"
fi
members=" $(docker network inspect -f '{{range .Containers}}{{.Name}} {{end}}' appnet 2>/dev/null | head -c 2000)"
for c in api client; do
  state=$(docker container inspect -f '{{.State.Status}}' "$c" 2>/dev/null | head -c 40)
  if [ -z "$state" ]; then
    echo "FAIL: a container named $c exists | expected: docker run -d --name $c ... | actual: no such container"
    status=1
    continue
  fi
  if [ "$state" != "running" ]; then
    echo "FAIL: $c is running | expected: running | actual: $state"
    echo "HINT: docker logs $c shows why it stopped; run it with -d and a command that keeps going"
    status=1
    continue
  fi
  echo "PASS: $c is running"
  case "$members" in
    *" $c "*) echo "PASS: $c is attached to appnet" ;;
    *)
      nets=$(docker container inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$c" 2>/dev/null | head -c 200)
      echo "FAIL: $c is attached to appnet | expected: --network appnet | actual: ${nets:-no network}"
      status=1 ;;
  esac
done
if [ "$status" -ne 0 ]; then
  exit 1
fi
# The request runs inside the client container (never in the lab itself).
answer=$(timeout 8 docker exec client wget -q -T 3 -O - http://api/ 2>&1 | head -c 300 | tr -d '\r')
case "$answer" in
  *"hello from api"*)
    echo "PASS: client reaches http://api/ by name: $(printf '%s' "$answer" | head -n 1)" ;;
  *)
    echo "FAIL: client reaches http://api/ by name | expected: the page from ~/www/index.html | actual: $(printf '%s' "$answer" | head -n 2 | tr '\n' ' ' | head -c 120)"
    echo "HINT: api must serve ~/www: -v /home/learner/www:/www:ro and the command httpd -f -p 80 -h /www"
    exit 1 ;;
esac
