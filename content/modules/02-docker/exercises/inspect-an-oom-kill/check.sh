# Compares ~/facts.txt with the facts in ~/inspect.json (as written by
# setup.sh; the answers are fixed).
file="$LAB_HOME/facts.txt"
require_answer "$file" "~/facts.txt" \
  "key=value lines (status, exit_code, oom_killed, restarts, image, memory_mib, cache_mb, host_port)"

expect() {
  expect_answer "$file" "$@" && return
  case "$1:$got" in
    image:sha256:*) hint "the top-level Image is the image's id; the name it was started from is in .Config.Image" ;;
    memory_mib:268435456) hint "that is bytes; divide by 1048576 for MiB" ;;
    memory_mib:512) hint "512 MiB is MemorySwap (memory plus swap); the memory limit itself is .HostConfig.Memory" ;;
    host_port:8080) hint "8080 is the container's port; the host side is in .HostConfig.PortBindings" ;;
    exit_code:1) hint "read .State.ExitCode" ;;
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
if [ -z "${failed:-}" ]; then
  hint "a 512 MB cache in a container limited to 256 MiB: the out-of-memory killer ended it, and on-failure gave up after 3 restarts"
fi
verdict
