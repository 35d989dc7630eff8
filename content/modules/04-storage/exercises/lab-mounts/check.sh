# Compare ~/mounts.txt with what the kernel really reports in /proc/mounts.
f="$LAB_HOME/mounts.txt"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/mounts.txt exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/mounts.txt exists"
answer=$(head -c 65536 "$f" | tr -d '\r')
status=0
for mp in / /tmp /home/learner; do
  # The last entry for a mount point is the one in effect.
  want=$(awk -v m="$mp" '$2 == m { split($4, o, ","); t = $3 " " o[1] } END { print t }' /proc/mounts)
  got=$(printf '%s\n' "$answer" | awk -v m="$mp" '$1 == m { print $2 " " $3; exit }' | head -c 80)
  if [ -z "$got" ]; then
    echo "FAIL: a line for $mp | expected: $mp $want | actual: no line starting with $mp"
    status=1
  elif [ "$got" != "$want" ]; then
    echo "FAIL: the line for $mp | expected: $mp $want | actual: $mp $got"
    status=1
  else
    echo "PASS: $mp is $want"
  fi
done
if [ "$status" -ne 0 ]; then
  echo "HINT: each line is: mount point, file system type (third field of /proc/mounts), ro or rw (first option)"
fi
exit "$status"
