# Replayed, but a container that died is taken for gone.
awk '$2 == "container" && match($0, /name=[^,)]*/) {
  name = substr($0, RSTART + 5, RLENGTH - 5)
  if ($3 == "create") state[name] = "created"
  else if ($3 == "start" || $3 == "unpause" || $3 == "restart") state[name] = "running"
  else if ($3 == "pause") state[name] = "paused"
  else if ($3 == "die" || $3 == "destroy") state[name] = "removed"
}
END { for (n in state) print n "=" state[n] }' ~/events.log | sort > ~/states.txt
