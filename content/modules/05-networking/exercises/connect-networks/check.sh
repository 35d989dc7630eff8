# Which networks each container is on, then a request from proxy to stock.
nets_of() {
  docker container inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$1" 2>/dev/null | head -c 500
}
status=0
for c in proxy stock; do
  state=$(docker container inspect -f '{{.State.Status}}' "$c" 2>/dev/null | head -c 40)
  if [ "$state" != "running" ]; then
    echo "FAIL: $c is running | expected: running | actual: ${state:-no such container}"
    echo "HINT: reset the lab to get the prepared containers back"
    status=1
  fi
done
[ "$status" -eq 0 ] || exit 1
echo "PASS: proxy and stock are running"
pn=" $(nets_of proxy)"
sn=" $(nets_of stock)"
# The same lists without the padding, for messages.
pshow=$(printf '%s' "$pn" | sed 's/^ *//; s/ *$//')
sshow=$(printf '%s' "$sn" | sed 's/^ *//; s/ *$//')
case "$pn" in
  *" backend "*) echo "PASS: proxy is attached to backend" ;;
  *) echo "FAIL: proxy shares a network with stock | expected: proxy on backend | actual: proxy on ${pshow:-no network}, stock on ${sshow:-no network}"
     echo "HINT: docker network connect NETWORK CONTAINER attaches a running container"
     status=1 ;;
esac
case "$pn" in
  *" edge "*) echo "PASS: proxy is still on edge" ;;
  *) echo "FAIL: proxy keeps its place on edge | expected: proxy on edge and backend | actual: proxy on ${pshow:-no network}"
     status=1 ;;
esac
case "$sn" in
  " backend ") echo "PASS: stock stays on backend only" ;;
  *) echo "FAIL: stock stays on backend only | expected: backend | actual: ${sshow:-no network}"
     echo "HINT: the fix is to give proxy a second network, not to put stock on the edge network too"
     status=1 ;;
esac
[ "$status" -eq 0 ] || exit 1
answer=$(timeout 8 docker exec proxy wget -q -T 3 -O - http://stock/ 2>&1 | head -c 300 | tr -d '\r')
case "$answer" in
  *"42 crates"*) echo "PASS: proxy reaches http://stock/ by name" ;;
  *) echo "FAIL: proxy reaches http://stock/ by name | expected: the stock page | actual: $(printf '%s' "$answer" | head -n 2 | tr '\n' ' ' | head -c 120)"
     status=1 ;;
esac
exit "$status"
