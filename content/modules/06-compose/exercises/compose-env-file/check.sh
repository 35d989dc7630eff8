# The files the learner wrote, then the environment the engine gave the
# running container (Config.Env), which is what the program inside sees.
d="$LAB_HOME/notes"
status=0
value() {
  # value FILE KEY: the last KEY=... line of a KEY=VALUE file
  head -c 65536 "$1" 2>/dev/null | tr -d '\r' | awk -F= -v k="$2" '{ key = $1; gsub(/^[ \t]+|[ \t]+$/, "", key) } key == k { v = substr($0, index($0, "=") + 1) } END { gsub(/^[ \t]+|[ \t]+$/, "", v); gsub(/^["\047]|["\047]$/, "", v); print v }' | head -c 80
}
if [ "$(value "$d/app.env" APP_MODE)" = "staging" ]; then
  echo "PASS: ~/notes/app.env sets APP_MODE=staging"
else
  echo "FAIL: ~/notes/app.env sets APP_MODE=staging | expected: a line APP_MODE=staging | actual: $( [ -f "$d/app.env" ] && echo "APP_MODE=$(value "$d/app.env" APP_MODE)" || echo "no such file")"
  status=1
fi
if [ "$(value "$d/.env" RELEASE)" = "2.1" ]; then
  echo "PASS: ~/notes/.env sets RELEASE=2.1"
else
  echo "FAIL: ~/notes/.env sets RELEASE=2.1 | expected: a line RELEASE=2.1 | actual: $( [ -f "$d/.env" ] && echo "RELEASE=$(value "$d/.env" RELEASE)" || echo "no such file")"
  status=1
fi
app=$(docker ps -q --filter label=com.docker.compose.project=notes --filter label=com.docker.compose.service=app 2>/dev/null | head -n 1 | head -c 80)
if [ -z "$app" ]; then
  echo "FAIL: the service app of the project notes is running | expected: docker compose up -d run in ~/notes | actual: no running container"
  echo "HINT: if up stops with an error, it names the missing file or variable"
  exit 1
fi
echo "PASS: the service app is running"
env=$(docker container inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$app" 2>/dev/null | head -c 20000)
for want in APP_MODE=staging RELEASE=2.1; do
  key=${want%%=*}
  got=$(printf '%s\n' "$env" | awk -F= -v k="$key" '$1 == k { print; exit }' | head -c 100)
  if [ "$got" = "$want" ]; then
    echo "PASS: the container's environment has $want"
  else
    echo "FAIL: the container's environment has $want | expected: $want | actual: ${got:-$key not set}"
    status=1
  fi
done
if [ "$status" -ne 0 ]; then
  echo "HINT: a running container keeps the environment it was created with; docker compose up -d recreates it when the files change"
fi
exit "$status"
