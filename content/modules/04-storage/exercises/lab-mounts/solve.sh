for mp in / /tmp /home/learner; do
  awk -v m="$mp" '$2 == m { split($4, o, ","); t = $3 " " o[1] } END { print m " " t }' /proc/mounts
done > "$HOME/mounts.txt"
