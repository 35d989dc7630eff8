# Compare ~/mounts.txt with what the kernel really reports in /proc/mounts.
f="$LAB_HOME/mounts.txt"
require_answer "$f" "~/mounts.txt"
answer=$(answer "$f")
for mp in / /tmp /home/learner; do
  # The last entry for a mount point is the one in effect.
  want=$(awk -v m="$mp" '$2 == m { split($4, o, ","); t = $3 " " o[1] } END { print t }' /proc/mounts)
  got=$(printf '%s\n' "$answer" | awk -v m="$mp" '$1 == m { print $2 " " $3; exit }' | head -c 80)
  expect_line "the line for $mp" "$want" "$got" "$mp ..."
done
if [ -n "${failed:-}" ]; then
  hint "each line is: mount point, file system type (third field of /proc/mounts), ro or rw (first option)"
fi
verdict
