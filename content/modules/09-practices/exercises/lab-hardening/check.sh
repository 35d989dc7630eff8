# Compare ~/lab-hardening.txt with the lab's live security settings.
f="$LAB_HOME/lab-hardening.txt"
if [ ! -f "$f" ]; then
  echo "FAIL: ~/lab-hardening.txt exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/lab-hardening.txt exists"
answer=$(head -c 65536 "$f" | tr -d '\r')
# PID 1 was started by the runtime with the same profile as your shell.
st=/proc/1/status
field() { awk -v k="$1:" '$1 == k { print $2; exit }' "$st"; }
uid=$(id -u learner)
cap_eff=$(field CapEff)
cap_bnd=$(field CapBnd)
nnp=$(field NoNewPrivs)
seccomp=$(field Seccomp)
root=$(awk '$2 == "/" { split($4, o, ","); r = o[1] } END { print r }' /proc/mounts)
value() {
  printf '%s\n' "$answer" | awk -F= -v k="$1" '{ key = $1; gsub(/[ \t]/, "", key) } key == k { v = substr($0, index($0, "=") + 1); gsub(/^[ \t]+|[ \t]+$/, "", v); print v; exit }' | head -c 80
}
status=0
for pair in "uid|$uid" "cap_eff|$cap_eff" "cap_bnd|$cap_bnd" "no_new_privs|$nnp" "seccomp|$seccomp" "root|$root"; do
  key=${pair%%|*}
  want=${pair#*|}
  got=$(value "$key")
  if [ -z "$got" ]; then
    echo "FAIL: $key= is filled in | expected: a line $key=... | actual: no such line or an empty value"
    status=1
  elif [ "$got" != "$want" ]; then
    echo "FAIL: $key is right | expected: the lab's real value | actual: $got"
    status=1
  else
    echo "PASS: $key=$got"
  fi
done
exit "$status"
