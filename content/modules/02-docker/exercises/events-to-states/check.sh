# Compares ~/states.txt with the final states in ~/events.log (as written
# by setup.sh; the answers are fixed).
export LC_ALL=C
file="$LAB_HOME/states.txt"
if [ ! -f "$file" ]; then
  echo "FAIL: ~/states.txt exists | expected: one name=state line per container | actual: no such file"
  exit 1
fi
echo "PASS: ~/states.txt exists"

value() {
  head -c 65536 "$file" | tr -d '\r' | sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" | head -n 1 | tr -d '[:space:]' | tr 'A-Z' 'a-z' | head -c 32
}

status=0
expect() {
  name=$1 want=$2
  got=$(value "$name")
  if [ "$got" = "$want" ]; then
    echo "PASS: $name is $want"
    return
  fi
  shown="(missing)"
  [ -n "$got" ] && shown="$name=$got"
  echo "FAIL: $name's final state | expected: $name=$want | actual: $shown"
  status=1
  case "$name:$got" in
    web:paused) echo "HINT: web was paused, but an unpause came later" ;;
    web:exited) echo "HINT: exec_die is the end of a process started with docker exec, not of web's main process" ;;
    api:exited) echo "HINT: after api's die there is another start: its restart policy brought it back" ;;
    proxy:exited) echo "HINT: a kill event only says a signal was sent; signal 1 (SIGHUP) asked proxy to reload, and no die followed" ;;
    worker:running) echo "HINT: worker was restarted twice, but look at its very last event" ;;
    job:exited) echo "HINT: job's die was followed by a destroy (it was started with --rm)" ;;
    cache:removed) echo "HINT: cache was stopped (kill, die, stop) but never destroyed" ;;
  esac
}
expect api running
expect cache exited
expect job removed
expect migrate created
expect proxy running
expect search paused
expect web running
expect worker exited
if head -c 65536 "$file" | grep -q '^[[:space:]]*bridge[[:space:]]*='; then
  echo "HINT: bridge is the name of a network in the network events, not a container"
fi
exit "$status"
