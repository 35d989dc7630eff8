{
  ip -o -4 addr show scope global | awk '$2 != "docker0" && $2 !~ /^br-/ { print "interface=" $2; print "address=" $4; exit }'
  awk '$1 == "nameserver" { print "dns=" $2; exit }' /etc/resolv.conf
  ip -o -4 addr show dev docker0 | awk '{ print "bridge=" $4; exit }'
} > "$HOME/network.txt"
