# Compares ~/ns.txt with what this checking process sees. The checker is
# another user in another process, but it joins the lab's namespaces, so
# the ids are the same only if the learner read them from inside the lab.
file="$LAB_HOME/ns.txt"
require_answer "$file" "~/ns.txt" "a file with hostname=, uts= and net= lines"

# Accept "uts:[4026532179]" or the bare number.
bare() {
  printf '%s' "$1" | sed -e 's/^[a-z]*:\[//' -e 's/\]$//'
}

expect_answer "$file" hostname "$(cat /proc/sys/kernel/hostname)" "the lab's host name" ||
  hint "run hostname in the lab's terminal"

for ns in uts net; do
  want=$(readlink "/proc/self/ns/$ns")
  got=$(answer_value "$file" "$ns" 64)
  if [ -n "$got" ] && [ "$(bare "$got")" = "$(bare "$want")" ]; then
    pass "$ns: the lab's $ns namespace ($want)"
  else
    fail "$ns: the lab's $ns namespace" "$ns=$want" "${got:-(missing)}"
  fi
done
if [ -n "${failed:-}" ]; then
  hint "readlink /proc/self/ns/uts and readlink /proc/self/ns/net print the values to copy"
fi
verdict
