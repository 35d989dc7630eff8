# Compare ~/network.txt with the lab's live network settings.
f="$LAB_HOME/network.txt"
require_answer "$f" "~/network.txt"
# The lab's own interface: the first global address that is not a bridge of
# the lab's Docker engine (docker0, br-...).
real_if=$(ip -o -4 addr show scope global | awk '$2 != "docker0" && $2 !~ /^br-/ { print $2; exit }')
real_addr=$(ip -o -4 addr show scope global | awk '$2 != "docker0" && $2 !~ /^br-/ { print $4; exit }')
real_bridge=$(ip -o -4 addr show dev docker0 2>/dev/null | awk '{ print $4; exit }')
real_dns=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf)
for pair in "interface|$real_if" "address|$real_addr" "dns|$real_dns" "bridge|$real_bridge"; do
  key=${pair%%|*}
  want=${pair#*|}
  got=$(answer_value "$f" "$key" 80)
  expect_line "$key is the lab's" "$want" "$got" "$key=..." "the lab's real value"
done
if [ -n "${failed:-}" ]; then
  hint "ip -br addr and cat /etc/resolv.conf show everything you need; eth0 is the lab's own interface, docker0 belongs to its engine"
fi
verdict
