cg=/sys/fs/cgroup
if [ -r "$cg/memory/memory.limit_in_bytes" ]; then
  mem=$(cat "$cg/memory/memory.limit_in_bytes")
  pids=$(cat "$cg/pids/pids.max")
  quota=$(cat "$cg/cpu/cpu.cfs_quota_us")
  period=$(cat "$cg/cpu/cpu.cfs_period_us")
else
  mem=$(cat "$cg/memory.max")
  pids=$(cat "$cg/pids.max")
  read -r quota period < "$cg/cpu.max"
fi
{
  echo "memory_mib=$((mem / 1048576))"
  echo "pids_max=$pids"
  echo "cpus=$(awk -v q="$quota" -v p="$period" 'BEGIN { printf "%g", q / p }')"
} > "$HOME/limits.txt"
