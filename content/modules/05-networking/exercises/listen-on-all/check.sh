# Two listeners: 8080 on every address, 9090 on loopback only.
# The lab's own address (not docker0 or another bridge of the lab's engine).
ip=$(ip -o -4 addr show scope global | awk '$2 != "docker0" && $2 !~ /^br-/ { split($4, a, "/"); print a[1]; exit }')
listeners() {
  # Local addresses (without the port) of the TCP sockets listening on port $1.
  ss -ltnH 2>/dev/null | awk -v p="$1" '{ n = split($4, a, ":"); if (a[n] == p) { addr = substr($4, 1, length($4) - length(p) - 1); print addr } }'
}
status=0
l8080=$(listeners 8080 | tr '\n' ' ')
case " $l8080" in
  *" 0.0.0.0 "*|*" * "*|*" [::] "*)
    echo "PASS: something listens on port 8080 on all addresses ($l8080)" ;;
  " ")
    echo "FAIL: something listens on port 8080 | expected: a listener on 0.0.0.0:8080 | actual: nothing on 8080"
    status=1 ;;
  *)
    echo "FAIL: port 8080 listens on all addresses | expected: 0.0.0.0 | actual: $l8080"
    echo "HINT: --bind 0.0.0.0 makes the server accept connections on every interface"
    status=1 ;;
esac
if [ "$status" -eq 0 ]; then
  body=$(curl -s -m 2 "http://$ip:8080/" | head -c 4096)
  case "$body" in
    *"Welcome to the shop"*) echo "PASS: http://$ip:8080/ serves ~/site" ;;
    *) echo "FAIL: http://$ip:8080/ serves ~/site | expected: the page from ~/site/index.html | actual: $(printf '%s' "$body" | head -c 60 | tr '\n' ' ')"
       echo "HINT: start the server with --directory ~/site (or from inside ~/site)"
       status=1 ;;
  esac
fi
l9090=$(listeners 9090 | tr '\n' ' ')
if [ -z "$l9090" ]; then
  echo "FAIL: something listens on port 9090 | expected: a listener on 127.0.0.1:9090 | actual: nothing on 9090"
  status=1
elif [ "$l9090" != "127.0.0.1 " ]; then
  echo "FAIL: port 9090 listens on loopback only | expected: 127.0.0.1 | actual: $l9090"
  echo "HINT: --bind 127.0.0.1 keeps the admin server private to the lab"
  status=1
else
  echo "PASS: port 9090 listens on 127.0.0.1 only"
  body=$(curl -s -m 2 "http://127.0.0.1:9090/" | head -c 4096)
  case "$body" in
    *"Admin panel"*) echo "PASS: http://127.0.0.1:9090/ serves ~/admin" ;;
    *) echo "FAIL: http://127.0.0.1:9090/ serves ~/admin | expected: the page from ~/admin/index.html | actual: $(printf '%s' "$body" | head -c 60 | tr '\n' ' ')"
       status=1 ;;
  esac
  if curl -s -m 1 -o /dev/null "http://$ip:9090/"; then
    echo "FAIL: port 9090 is unreachable on $ip | expected: connection refused | actual: it answered"
    status=1
  else
    echo "PASS: port 9090 is unreachable on $ip"
  fi
fi
exit "$status"
