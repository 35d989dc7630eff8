# Compares ~/limits.txt with the lab's real cgroup limits (v1 or v2).
file="$LAB_HOME/limits.txt"
require_answer "$file" "~/limits.txt" "a file with memory_mib=, pids_max= and cpus= lines"

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

case "$mem" in
  ''|*[!0-9]*) want_mib=unlimited ;;
  *) want_mib=$((mem / 1048576)) ;;
esac
expect_answer "$file" memory_mib "$want_mib" "the lab's memory limit in MiB" ||
  case "$got" in
    "$mem") hint "that is the limit in bytes; divide it by 1048576 for MiB" ;;
  esac
expect_answer "$file" pids_max "$pids" "the lab's process limit"

case "$quota" in
  ''|max|-*) want_cpus=unlimited ;;
  *) want_cpus=$(awk -v q="$quota" -v p="$period" 'BEGIN { printf "%g", q / p }') ;;
esac
got=$(answer_value "$file" cpus 32)
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
  pass "cpus: the lab's CPU limit ($want_cpus)"
else
  fail "cpus: the lab's CPU limit" "cpus=$want_cpus" "${got:-(missing)}"
  hint "cpus is the quota divided by the period; both are numbers of microseconds"
fi
verdict
