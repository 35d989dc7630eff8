# The containers Compose created for the project "pair", found by the labels
# Compose puts on them, then a request from client to web by service name.
id_of() {
  docker ps -q --filter label=com.docker.compose.project=pair --filter "label=com.docker.compose.service=$1" 2>/dev/null | head -n 1 | head -c 80
}
all=$(docker ps -a --filter label=com.docker.compose.project=pair --format '{{.Label "com.docker.compose.service"}}={{.State}}' 2>/dev/null | head -c 2000 | tr '\n' ' ')
if [ -z "$all" ]; then
  echo "FAIL: a Compose project named pair exists | expected: docker compose up -d run in ~/pair | actual: no containers with the label com.docker.compose.project=pair"
  echo "HINT: the project name comes from the folder: cd ~/pair before docker compose up -d"
  exit 1
fi
echo "PASS: the project pair has containers: $all"
status=0
for s in web client; do
  if [ -n "$(id_of "$s")" ]; then
    echo "PASS: the service $s is running"
  else
    echo "FAIL: the service $s is running | expected: a running container for $s | actual: ${all}"
    status=1
  fi
done
[ "$status" -eq 0 ] || { echo "HINT: docker compose ps -a and docker compose logs show what happened"; exit 1; }
dir=$(docker container inspect -f '{{index .Config.Labels "com.docker.compose.project.working_dir"}}' "$(id_of web)" 2>/dev/null | head -c 300)
if [ "$dir" = "/home/learner/pair" ]; then
  echo "PASS: the project was started from ~/pair"
else
  echo "FAIL: the project was started from ~/pair | expected: /home/learner/pair | actual: ${dir:-unknown}"
  status=1
fi
client=$(id_of client)
answer=$(timeout 8 docker exec "$client" wget -q -T 3 -O - http://web/ 2>&1 | head -c 300 | tr -d '\r')
case "$answer" in
  *"pair: web is up"*) echo "PASS: client reaches http://web/ by its service name" ;;
  *) echo "FAIL: client reaches http://web/ by its service name | expected: the page from ~/pair/www/index.html | actual: $(printf '%s' "$answer" | head -n 2 | tr '\n' ' ' | head -c 120)"
     echo "HINT: web must serve /www with httpd -f -p 80 -h /www, and ./www must be mounted there"
     status=1 ;;
esac
exit "$status"
