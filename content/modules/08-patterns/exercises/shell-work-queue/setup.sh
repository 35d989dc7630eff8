q="$HOME/queue"
rm -rf "$q/jobs" "$q/work" "$q/results"
mkdir -p "$q/jobs" "$q/work" "$q/results"
i=1
while [ "$i" -le 20 ]; do
  echo $((3 * i + 4)) > "$q/jobs/$(printf 'job-%02d.txt' "$i")"
  i=$((i + 1))
done
