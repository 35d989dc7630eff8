# Compares ~/limits.txt with the lab's real cgroup limits (v1 or v2).
file="$LAB_HOME/limits.txt"
if [ ! -f "$file" ]; then
  echo "FAIL: ~/limits.txt exists | expected: a file with memory_mib=, pids_max= and cpus= lines | actual: no such file"
  exit 1
fi
echo "PASS: ~/limits.txt exists"

value() {
  head -c 65536 "$file" | tr -d '\r' | sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" | head -n 1 | tr -d '[:space:]' | head -c 32
}

cg=/sys/fs/cgroup
if [ -r "$cg/memory/memory.limit_in_bytes" ]; then
  mem=$(cat "$cg/memory/memory.limit_in_bytes")
  pids=$(cat "$cg/pids/pids.max")
  quota=$(cat "$cg/cpu/cpu.cfs_quota_us" 2>/dev/null || echo -1)
  period=$(cat "$cg/cpu/cpu.cfs_period_us" 2>/dev/null || echo 100000)
else
  mem=$(cat "$cg/memory.max")
  pids=$(cat "$cg/pids.max")
  read -r quota period < "$cg/cpu.max" || true
fi

status=0

case "$mem" in
  ''|*[!0-9]*) want_mib=unlimited ;;
  *) want_mib=$((mem / 1048576)) ;;
esac
got=$(value memory_mib)
if [ "$got" = "$want_mib" ]; then
  echo "PASS: memory_mib is the lab's memory limit ($want_mib MiB)"
else
  echo "FAIL: memory_mib is the lab's memory limit | expected: memory_mib=$want_mib | actual: ${got:-(missing)}"
  case "$got" in
    "$mem") echo "HINT: that is the limit in bytes; divide it by 1048576 for MiB" ;;
  esac
  status=1
fi

got=$(value pids_max)
if [ "$got" = "$pids" ]; then
  echo "PASS: pids_max is the lab's process limit ($pids)"
else
  echo "FAIL: pids_max is the lab's process limit | expected: pids_max=$pids | actual: ${got:-(missing)}"
  status=1
fi

case "$quota" in
  ''|max|-*) want_cpus=unlimited ;;
  *) want_cpus=$(awk -v q="$quota" -v p="$period" 'BEGIN { printf "%g", q / p }') ;;
esac
got=$(value cpus)
ok=no
if [ "$want_cpus" = unlimited ]; then
  [ "$got" = unlimited ] && ok=yes
else
  case "$got" in
    ''|*[!0-9.]*|*.*.*|.*) ;;
    *) ok=$(awk -v a="$got" -v b="$want_cpus" 'BEGIN { d = a - b; if (d < 0) d = -d; print (d < 0.01) ? "yes" : "no" }') ;;
  esac
fi
if [ "$ok" = yes ]; then
  echo "PASS: cpus is the lab's CPU limit ($want_cpus)"
else
  echo "FAIL: cpus is the lab's CPU limit | expected: cpus=$want_cpus | actual: ${got:-(missing)}"
  echo "HINT: cpus is the quota divided by the period; both are numbers of microseconds"
  status=1
fi
exit "$status"
