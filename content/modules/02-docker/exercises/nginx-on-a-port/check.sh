# Reads shopfront from the lab's engine (state, image, ports, mounts), then
# asks the published port what it serves. Nothing of the learner's is run.
clean() { printf '%s' "$1" | tr -d '|\r' | tr '\n' ' ' | head -c 100; }
state=$(docker container inspect -f '{{.State.Status}}' shopfront 2>/dev/null | head -c 40)
if [ -z "$state" ]; then
  echo "FAIL: a container named shopfront exists | expected: docker run -d --name shopfront ... | actual: no such container"
  exit 1
fi
if [ "$state" != running ]; then
  echo "FAIL: shopfront is running | expected: running | actual: $(clean "$state")"
  echo "HINT: docker logs shopfront shows why it stopped"
  exit 1
fi
echo "PASS: shopfront is running"
status=0
image=$(docker container inspect -f '{{.Config.Image}}' shopfront 2>/dev/null | head -c 300)
case "${image#docker.io/library/}" in
  nginx:1.26|nginx:1.26.3) echo "PASS: shopfront runs $(clean "$image")" ;;
  nginx|nginx:latest)
    echo "FAIL: shopfront runs a pinned nginx | expected: nginx:1.26 | actual: $(clean "$image")"
    echo "HINT: without a tag Docker takes latest, which changes under you; name the version"
    status=1 ;;
  *)
    echo "FAIL: shopfront runs a pinned nginx | expected: nginx:1.26 | actual: $(clean "$image")"
    status=1 ;;
esac
# One "containerport=address:hostport" word per binding, e.g. 80/tcp=:8080
bindings=$(docker container inspect -f '{{range $p, $list := .HostConfig.PortBindings}}{{range $list}}{{$p}}={{.HostIp}}:{{.HostPort}} {{end}}{{end}}' shopfront 2>/dev/null | head -c 500)
case " $bindings" in
  *" 80/tcp="*":8080 "*) echo "PASS: container port 80 is published on host port 8080" ;;
  *)
    echo "FAIL: container port 80 is published on host port 8080 | expected: -p 8080:80 | actual: $(clean "${bindings:-nothing published}")"
    echo "HINT: -p reads host first, container second"
    status=1 ;;
esac
mounts=$(docker container inspect -f '{{range .Mounts}}{{.Destination}} {{end}}' shopfront 2>/dev/null | head -c 2000)
case " $mounts" in
  *" /usr/share/nginx"*)
    echo "FAIL: the page was changed inside the container | expected: no mount on /usr/share/nginx/html, the file written with docker exec | actual: a mount on $(clean "$mounts")"
    status=1 ;;
  *) echo "PASS: nothing is mounted over nginx's web root" ;;
esac
# nginx answers within a moment of starting: try for up to about 3 seconds.
i=0
while :; do
  body=$(curl -s -m 2 http://127.0.0.1:8080/ 2>/dev/null | head -c 2000)
  case "$body" in *"Shopfront opens at nine"*) break ;; esac
  [ "$i" -ge 6 ] && break
  i=$((i + 1)); sleep 0.5
done
case "$body" in
  *"Shopfront opens at nine"*) echo "PASS: http://localhost:8080/ says Shopfront opens at nine" ;;
  *"Welcome to nginx"*)
    echo "FAIL: http://localhost:8080/ says Shopfront opens at nine | expected: the new page | actual: nginx's welcome page"
    echo "HINT: replace /usr/share/nginx/html/index.html inside shopfront with docker exec"
    status=1 ;;
  *)
    echo "FAIL: http://localhost:8080/ says Shopfront opens at nine | expected: the new page | actual: $(clean "${body:-no answer}")"
    status=1 ;;
esac
exit "$status"
