# Replays the container events and prints each container's final state.
awk '$2 == "container" {
  action = $3
  if (match($0, /name=[^,)]*/)) name = substr($0, RSTART + 5, RLENGTH - 5); else next
  if (action == "create") state[name] = "created"
  else if (action == "start" || action == "unpause" || action == "restart") state[name] = "running"
  else if (action == "pause") state[name] = "paused"
  else if (action == "die") state[name] = "exited"
  else if (action == "destroy") state[name] = "removed"
}
END { for (n in state) print n "=" state[n] }' "$HOME/events.log" | sort > "$HOME/states.txt"
