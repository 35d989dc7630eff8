# The orders service must be configured for, and really listening on, all
# addresses on port 5000, and answer on the lab's eth0 address.
env="$LAB_HOME/orders/orders.env"
# The lab's own address (not docker0 or another bridge of the lab's engine).
ip=$(ip -o -4 addr show scope global | awk '$2 != "docker0" && $2 !~ /^br-/ { split($4, a, "/"); print a[1]; exit }')
status=0
if [ ! -f "$env" ]; then
  echo "FAIL: ~/orders/orders.env exists | expected: the service's configuration | actual: missing (reset the lab to prepare it again)"
  exit 1
fi
conf=$(head -c 65536 "$env" | tr -d '\r')
host=$(printf '%s\n' "$conf" | awk -F= '$1 == "HOST" { v = $2 } END { gsub(/[ \t]/, "", v); print v }' | head -c 60)
port=$(printf '%s\n' "$conf" | awk -F= '$1 == "PORT" { v = $2 } END { gsub(/[ \t]/, "", v); print v }' | head -c 20)
if [ "$host" = "0.0.0.0" ]; then
  echo "PASS: orders.env sets HOST=0.0.0.0"
else
  echo "FAIL: orders.env makes the service listen on all addresses | expected: HOST=0.0.0.0 | actual: HOST=$host"
  status=1
fi
if [ "$port" = "5000" ]; then
  echo "PASS: orders.env keeps PORT=5000"
else
  echo "FAIL: orders.env keeps the port | expected: PORT=5000 | actual: PORT=$port"
  status=1
fi
l=$(ss -ltnH 2>/dev/null | awk '{ n = split($4, a, ":"); if (a[n] == "5000") print substr($4, 1, length($4) - 5) }' | tr '\n' ' ')
case " $l" in
  *" 0.0.0.0 "*|*" * "*|*" [::] "*)
    echo "PASS: something listens on port 5000 on all addresses" ;;
  " ")
    echo "FAIL: the service is running | expected: a listener on 0.0.0.0:5000 | actual: nothing listens on 5000"
    echo "HINT: start it again from ~/orders: nohup python3 server.py >/dev/null 2>&1 &"
    status=1 ;;
  *)
    echo "FAIL: the service listens on all addresses | expected: 0.0.0.0:5000 | actual: ${l}(port 5000)"
    if [ "$host" = "0.0.0.0" ]; then
      echo "HINT: the running instance read the old setting: stop it (kill the pid in server.pid) and start it again"
    else
      echo "HINT: the service only listens on the lab's own loopback; the setting comes from ~/orders/orders.env"
    fi
    status=1 ;;
esac
body=$(curl -s -m 2 "http://$ip:5000/" | head -c 200)
if [ "$body" = "orders service: ok" ]; then
  echo "PASS: http://$ip:5000/ answers: $body"
else
  echo "FAIL: the service answers on the lab's address | expected: curl http://$ip:5000/ prints 'orders service: ok' | actual: ${body:-no answer}"
  status=1
fi
exit "$status"
