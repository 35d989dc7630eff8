# Compares ~/kernel.txt with what the kernel itself reports to the checker,
# which runs in the same lab and so on the same kernel.
f="$LAB_HOME/kernel.txt"
require_file "$f" "~/kernel.txt"
value() { head -c 4096 "$f" | tr -d '\r' | sed -n "s/^$1=//p" | head -n 1 | tr -d '[:space:]'; }
kernel=$(uname -r)
[ "$(value kernel)" = "$kernel" ] && pass "kernel is the running kernel ($kernel)" ||
  fail "kernel is the running kernel" "kernel=$kernel (uname -r)" "kernel=$(value kernel)"
booted=$(awk '/^btime/ {print $2}' /proc/stat)
started=$(( $(date +%s) - $(awk '{print int($1)}' /proc/uptime) + $(awk '{print int($22 / 100)}' /proc/1/stat) ))
if [ "$(value booted)" = "$booted" ]; then
  pass "booted is the kernel's boot time, $(( (started - booted) / 60 )) minutes before the lab's first process"
else
  fail "booted is the kernel's boot time" "booted=$booted (btime in /proc/stat)" "booted=$(value booted)"
  hint "the lab started long after that: the kernel was already running"
fi
. /etc/os-release
[ "$(value distribution)" = "$VERSION_CODENAME" ] && pass "distribution is the lab's own files ($VERSION_CODENAME)" ||
  fail "distribution is the lab's own files" "distribution=$VERSION_CODENAME" "distribution=$(value distribution)"
verdict
