# The orders service must be configured for, and really listening on, all
# addresses on port 5000, and answer on the lab's eth0 address.
env="$LAB_HOME/orders/orders.env"
ip=$(lab_address)
require_file "$env" "~/orders/orders.env"
conf=$(head -c 65536 "$env" | tr -d '\r')
host=$(printf '%s\n' "$conf" | awk -F= '$1 == "HOST" { v = $2 } END { gsub(/[ \t]/, "", v); print v }' | head -c 60)
port=$(printf '%s\n' "$conf" | awk -F= '$1 == "PORT" { v = $2 } END { gsub(/[ \t]/, "", v); print v }' | head -c 20)
if [ "$host" = "0.0.0.0" ]; then
  pass "orders.env sets HOST=0.0.0.0"
else
  fail "orders.env makes the service listen on all addresses" "HOST=0.0.0.0" "HOST=$host"
fi
if [ "$port" = "5000" ]; then
  pass "orders.env keeps PORT=5000"
else
  fail "orders.env keeps the port" "PORT=5000" "PORT=$port"
fi
l=$(listeners 5000)
case " $l" in
  *" 0.0.0.0 "*|*" * "*|*" [::] "*)
    pass "something listens on port 5000 on all addresses" ;;
  " ")
    fail "the service is running" "a listener on 0.0.0.0:5000" "nothing listens on 5000"
    hint "start it again from ~/orders: nohup python3 server.py >/dev/null 2>&1 &" ;;
  *)
    fail "the service listens on all addresses" "0.0.0.0:5000" "${l}(port 5000)"
    if [ "$host" = "0.0.0.0" ]; then
      hint "the running instance read the old setting: stop it (kill the pid in server.pid) and start it again"
    else
      hint "the service only listens on the lab's own loopback; the setting comes from ~/orders/orders.env"
    fi ;;
esac
body=$(curl -s -m 2 "http://$ip:5000/" | head -c 200)
if [ "$body" = "orders service: ok" ]; then
  pass "http://$ip:5000/ answers: $body"
else
  fail "the service answers on the lab's address" "curl http://$ip:5000/ prints 'orders service: ok'" "${body:-no answer}"
fi
verdict
