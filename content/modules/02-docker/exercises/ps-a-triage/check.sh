# Compares two lists of container names with the states in ~/ps-a.txt
# (as written by setup.sh; the answers are fixed).
set -f
export LC_ALL=C
status=0

# Prints the file's names, trimmed, one per line, sorted and unique.
names() {
  head -c 65536 "$1" | tr -d '\r' | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' | grep -v '^$' | head -n 200 | sort -u
}

compare() {
  label=$1 file=$2 want=$3 what=$4
  if [ ! -f "$file" ]; then
    echo "FAIL: ~/$label exists | expected: a file with one container name per line | actual: no such file"
    status=1
    return
  fi
  got=$(names "$file" | tr '\n' ' ' | sed 's/ $//')
  if [ "$got" = "$want" ]; then
    echo "PASS: ~/$label lists $what ($want)"
    return
  fi
  echo "FAIL: ~/$label lists $what | expected: $want | actual: ${got:-(empty)}"
  status=1
  for n in $got; do
    case "$n" in
      exit-monitor) echo "HINT: exit-monitor is up and running; only its name contains \"exit\"" ;;
      dashboards) echo "HINT: dashboards is restarting: the daemon is about to start it again, so it is not in the exited state" ;;
      shop-migrate) echo "HINT: shop-migrate was created but never started; that is the created state" ;;
      debug-box) echo "HINT: debug-box is paused, which still counts as up" ;;
    esac
  done
}

compare exited.txt "$LAB_HOME/exited.txt" "cache-old nightly-report shop-api-old shop-worker" "every exited container"
compare nonzero.txt "$LAB_HOME/nonzero.txt" "cache-old shop-api-old shop-worker" "the exited containers with a non-zero exit code"
exit "$status"
