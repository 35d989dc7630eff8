# Reads the image's configuration and the running container from the
# engine, then asks the published port.
require_image hello-py:0.1
user=$(inspect '{{.Config.User}}' hello-py:0.1)
case "${user%%:*}" in
  "" | root | 0) fail "the image runs as a user other than root" "USER 1000 (or another uid)" "${user:-no USER: root}" ;;
  *) pass "the image runs as $user" ;;
esac
ports=$(inspect '{{range $p, $v := .Config.ExposedPorts}}{{$p}} {{end}}' hello-py:0.1)
case " $ports" in
  *" 8000/tcp "*) pass "the image documents port 8000 (EXPOSE)" ;;
  *) fail "the image documents port 8000 (EXPOSE)" "EXPOSE 8000" "${ports:-no EXPOSE}" ;;
esac
title=$(inspect '{{index .Config.Labels "org.opencontainers.image.title"}}' hello-py:0.1)
if [ "$title" = hello-py ]; then
  pass "the image is labelled org.opencontainers.image.title=hello-py"
else
  fail "the image is labelled org.opencontainers.image.title=hello-py" "hello-py" "${title:-no such label}"
fi
cmd=$(inspect '{{json .Config.Cmd}}' hello-py:0.1)
case "$cmd" in
  '["/bin/sh","-c",'*) fail "CMD is in exec form" '["python", "app.py"]' "$cmd" ;;
  *app.py*) pass "CMD is in exec form ($cmd)" ;;
  *) fail "CMD starts app.py" '["python", "app.py"]' "$cmd" ;;
esac
require_running hello
image=$(inspect '{{.Config.Image}}' hello)
if [ "$image" = hello-py:0.1 ]; then
  pass "hello runs hello-py:0.1"
else
  fail "hello runs hello-py:0.1" "docker run ... hello-py:0.1" "$image"
fi
if retry 3 http_says http://127.0.0.1:8000/ "hello from an image"; then
  pass "http://localhost:8000/ answers: hello from an image"
else
  fail "http://localhost:8000/ answers" "hello from an image" "$(body http://127.0.0.1:8000/)"
  hint "-p reads host port first, container port second"
fi
verdict
