{
  ip -o -4 addr show scope global | awk '{ print "interface=" $2; print "address=" $4; exit }'
  awk '$1 == "nameserver" { print "dns=" $2; exit }' /etc/resolv.conf
} > "$HOME/network.txt"
