# The project "gate" as the engine sees it: web's health check and health,
# report's recorded dependency, its exit status and what it printed.
id_of() {
  docker ps -aq --filter label=com.docker.compose.project=gate --filter "label=com.docker.compose.service=$1" 2>/dev/null | head -n 1 | head -c 80
}
web=$(id_of web)
report=$(id_of report)
if [ -z "$web" ] || [ -z "$report" ]; then
  echo "FAIL: the project gate has web and report containers | expected: docker compose up -d run in ~/gate | actual: web ${web:-missing}, report ${report:-missing}"
  exit 1
fi
echo "PASS: the project gate has web and report containers"
status=0
test=$(docker container inspect -f '{{if .Config.Healthcheck}}{{json .Config.Healthcheck.Test}}{{end}}' "$web" 2>/dev/null | head -c 400)
case "$test" in
  ""|'["NONE"]')
    echo "FAIL: web has a health check | expected: healthcheck: test: [\"CMD\", \"wget\", ...] | actual: none"
    status=1 ;;
  *) echo "PASS: web has a health check: $test" ;;
esac
health=$(docker container inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$web" 2>/dev/null | head -c 40)
if [ "$health" = "healthy" ]; then
  echo "PASS: web is healthy"
else
  echo "FAIL: web is healthy | expected: healthy | actual: ${health:-no health status}"
  echo "HINT: docker container inspect -f '{{json .State.Health}}' gate-web-1 shows the last probes and their output"
  status=1
fi
cmd=$(docker container inspect -f '{{json .Config.Cmd}}' "$web" 2>/dev/null | head -c 400)
case "$cmd" in
  *"sleep 4"*) echo "PASS: web still warms up for 4 seconds" ;;
  *) echo "FAIL: web keeps its command | expected: the prepared sleep 4 && ... command | actual: $cmd"
     status=1 ;;
esac
dep=$(docker container inspect -f '{{index .Config.Labels "com.docker.compose.depends_on"}}' "$report" 2>/dev/null | head -c 400)
case ",$dep," in
  *",web:service_healthy:"*) echo "PASS: report depends on web with condition service_healthy" ;;
  *) echo "FAIL: report waits for a healthy web | expected: depends_on: web: condition: service_healthy | actual: ${dep:-no dependency}"
     status=1 ;;
esac
rcmd=$(docker container inspect -f '{{json .Config.Cmd}}' "$report" 2>/dev/null | head -c 400)
case "$rcmd" in
  *"http://web/"*) ;;
  *) echo "FAIL: report keeps its command | expected: [\"wget\",\"-qO-\",\"http://web/\"] | actual: $rcmd"
     status=1 ;;
esac
state=$(docker container inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$report" 2>/dev/null | head -c 60)
out=$(docker logs "$report" 2>&1 | tail -n 5 | head -c 400)
if [ "$state" = "exited 0" ]; then
  echo "PASS: report ran after web was ready and exited 0"
else
  echo "FAIL: report fetched the page | expected: exited 0 | actual: $state: $(printf '%s' "$out" | tr '\n' ' ' | head -c 120)"
  echo "HINT: after changing compose.yaml, run docker compose up -d again so report is recreated"
  status=1
fi
case "$out" in
  *"catalogue ready"*) echo "PASS: report printed: catalogue ready" ;;
  *) echo "FAIL: report's output holds the page | expected: catalogue ready | actual: $(printf '%s' "$out" | tr '\n' ' ' | head -c 120)"
     status=1 ;;
esac
exit "$status"
