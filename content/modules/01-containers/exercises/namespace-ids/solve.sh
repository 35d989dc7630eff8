{
  echo "hostname=$(hostname)"
  echo "uts=$(readlink /proc/self/ns/uts)"
  echo "net=$(readlink /proc/self/ns/net)"
} > "$HOME/ns.txt"
