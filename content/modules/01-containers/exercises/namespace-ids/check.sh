# Compares ~/ns.txt with what this checking process sees. The checker is
# another user in another process, but it joins the lab's namespaces, so
# the ids are the same only if the learner read them from inside the lab.
file="$LAB_HOME/ns.txt"
if [ ! -f "$file" ]; then
  echo "FAIL: ~/ns.txt exists | expected: a file with hostname=, uts= and net= lines | actual: no such file"
  exit 1
fi
echo "PASS: ~/ns.txt exists"

# The value of key=... on the first matching line, trimmed and capped.
value() {
  head -c 65536 "$file" | tr -d '\r' | sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" | head -n 1 | tr -d '[:space:]' | head -c 64
}

# Accept "uts:[4026532179]" or the bare number.
bare() {
  printf '%s' "$1" | sed -e 's/^[a-z]*:\[//' -e 's/\]$//'
}

status=0
want_host=$(cat /proc/sys/kernel/hostname)
got_host=$(value hostname)
if [ "$got_host" = "$want_host" ]; then
  echo "PASS: hostname is the lab's host name ($want_host)"
else
  echo "FAIL: hostname is the lab's host name | expected: hostname=$want_host | actual: ${got_host:-(missing)}"
  echo "HINT: run hostname in the lab's terminal"
  status=1
fi

for ns in uts net; do
  want=$(readlink "/proc/self/ns/$ns")
  got=$(value "$ns")
  if [ -n "$got" ] && [ "$(bare "$got")" = "$(bare "$want")" ]; then
    echo "PASS: $ns is the lab's $ns namespace ($want)"
  else
    echo "FAIL: $ns is the lab's $ns namespace | expected: $ns=$want | actual: ${got:-(missing)}"
    status=1
  fi
done
if [ "$status" -ne 0 ]; then
  echo "HINT: readlink /proc/self/ns/uts and readlink /proc/self/ns/net print the values to copy"
fi
exit "$status"
