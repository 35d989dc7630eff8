# Compares ~/k8s/init-report.txt with the saved pod status (the answers are
# fixed by setup.sh).
f="$LAB_HOME/k8s/init-report.txt"
require_file "$f" "~/k8s/init-report.txt"
value() { head -c 4096 "$f" | tr -d '\r' | sed -n "s/^$1=//p" | head -n 1 | tr -d '[:space:]'; }
for pair in failing=migrate exit_code=3 restarts=4 app_state=PodInitializing; do
  key=${pair%%=*} want=${pair#*=}
  if [ "$(value "$key")" = "$want" ]; then
    pass "$key is $want"
  else
    fail "$key is right" "$key=… from .status of the pod" "$key=$(value "$key")"
  fi
done
[ "$(value exit_code)" = 0 ] && hint "exit code 0 is the init container that succeeded; the failing one's last attempt is in lastState"
verdict
