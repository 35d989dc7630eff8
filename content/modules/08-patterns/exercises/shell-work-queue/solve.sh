cat > "$HOME/queue/worker.sh" <<'W'
#!/bin/sh
# usage: sh worker.sh NAME
me=$1
cd "$HOME/queue" || exit 1
while :; do
  claimed=
  for job in jobs/*.txt; do
    [ -e "$job" ] || continue
    name=${job#jobs/}
    if mv "$job" "work/$me.$name" 2>/dev/null; then
      claimed=$name; break
    fi
  done
  [ -n "$claimed" ] || exit 0
  n=$(cat "work/$me.$claimed")
  sleep 0.2
  echo "$((n * n)) $me" > "results/$claimed.tmp"
  mv "results/$claimed.tmp" "results/$claimed"
  rm "work/$me.$claimed"
done
W
for w in w1 w2 w3; do sh "$HOME/queue/worker.sh" "$w" & done
wait
