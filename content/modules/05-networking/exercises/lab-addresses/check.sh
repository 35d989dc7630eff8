# Compare ~/network.txt with the lab's live network settings.
f="$LAB_HOME/network.txt"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/network.txt exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/network.txt exists"
answer=$(head -c 65536 "$f" | tr -d '\r')
# The lab's own interface: the first global address that is not a bridge of
# the lab's Docker engine (docker0, br-...).
real_if=$(ip -o -4 addr show scope global | awk '$2 != "docker0" && $2 !~ /^br-/ { print $2; exit }')
real_addr=$(ip -o -4 addr show scope global | awk '$2 != "docker0" && $2 !~ /^br-/ { print $4; exit }')
real_bridge=$(ip -o -4 addr show dev docker0 2>/dev/null | awk '{ print $4; exit }')
real_dns=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf)
value() {
  printf '%s\n' "$answer" | awk -F= -v k="$1" '{ key = $1; gsub(/[ \t]/, "", key) } key == k { v = substr($0, index($0, "=") + 1); gsub(/^[ \t]+|[ \t]+$/, "", v); print v; exit }' | head -c 80
}
status=0
for pair in "interface|$real_if" "address|$real_addr" "dns|$real_dns" "bridge|$real_bridge"; do
  key=${pair%%|*}
  want=${pair#*|}
  got=$(value "$key")
  if [ -z "$got" ]; then
    echo "FAIL: $key= is filled in | expected: a line $key=... | actual: no such line or an empty value"
    status=1
  elif [ "$got" != "$want" ]; then
    echo "FAIL: $key is right | expected: the lab's real value | actual: $got"
    status=1
  else
    echo "PASS: $key=$got"
  fi
done
if [ "$status" -ne 0 ]; then
  echo "HINT: ip -br addr and cat /etc/resolv.conf show everything you need; eth0 is the lab's own interface, docker0 belongs to its engine"
fi
exit "$status"
