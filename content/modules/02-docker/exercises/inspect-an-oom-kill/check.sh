# Compares ~/facts.txt with the facts in ~/inspect.json (as written by
# setup.sh; the answers are fixed).
file="$LAB_HOME/facts.txt"
if [ ! -f "$file" ]; then
  echo "FAIL: ~/facts.txt exists | expected: key=value lines (status, exit_code, oom_killed, restarts, image, memory_mib, cache_mb, host_port) | actual: no such file"
  exit 1
fi
echo "PASS: ~/facts.txt exists"

value() {
  head -c 65536 "$file" | tr -d '\r' | sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" | head -n 1 | tr -d '[:space:]"' | head -c 128
}

status=0
expect() {
  key=$1 want=$2 what=$3
  got=$(value "$key")
  [ "$key" = oom_killed ] && got=$(printf '%s' "$got" | tr 'A-Z' 'a-z')
  if [ "$got" = "$want" ]; then
    echo "PASS: $key: $what ($want)"
    return
  fi
  echo "FAIL: $key: $what | expected: $key=$want | actual: ${got:-(missing)}"
  status=1
  case "$key:$got" in
    image:sha256:*) echo "HINT: the top-level Image is the image's id; the name it was started from is in .Config.Image" ;;
    memory_mib:268435456) echo "HINT: that is bytes; divide by 1048576 for MiB" ;;
    memory_mib:512) echo "HINT: 512 MiB is MemorySwap (memory plus swap); the memory limit itself is .HostConfig.Memory" ;;
    host_port:8080) echo "HINT: 8080 is the container's port; the host side is in .HostConfig.PortBindings" ;;
    exit_code:1) echo "HINT: read .State.ExitCode" ;;
  esac
}
expect status exited "the container's state"
expect exit_code 137 "its exit code"
expect oom_killed true "killed by the out-of-memory killer"
expect restarts 3 "times the restart policy restarted it"
expect image registry.example.com/shop/api:2.3.1 "the image it was started from"
expect memory_mib 256 "its memory limit in MiB"
expect cache_mb 512 "its CACHE_SIZE_MB setting"
expect host_port 9090 "the host port of 8080/tcp"
if [ "$status" -eq 0 ]; then
  echo "HINT: a 512 MB cache in a container limited to 256 MiB: the out-of-memory killer ended it, and on-failure gave up after 3 restarts"
fi
exit "$status"
