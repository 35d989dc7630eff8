# Compares the two images' sizes, reads the slim one's user, and asks the
# running container: a multi-stage image must be small, unprivileged and
# still work.
require_image greeter:single
require_image greeter:slim
single=$(inspect '{{.Size}}' greeter:single)
slim=$(inspect '{{.Size}}' greeter:slim)
mb() { echo "$(( $1 / 1000000 )) MB"; }
if [ "$slim" -gt 0 ] && [ $((slim * 10)) -le "$single" ]; then
  pass "greeter:slim ($(mb "$slim")) is at least 10 times smaller than greeter:single ($(mb "$single"))"
else
  fail "greeter:slim is at least 10 times smaller than greeter:single" "at most $(mb $((single / 10)))" "$(mb "$slim") against $(mb "$single")"
  hint "the final stage must not start FROM golang: copy only the binary into a small base"
fi
user=$(inspect '{{.Config.User}}' greeter:slim)
case "${user%%:*}" in
  "" | root | 0) fail "greeter:slim runs as a user other than root" "USER 65532:65532" "${user:-no USER: root}" ;;
  *) pass "greeter:slim runs as user $user" ;;
esac
require_running greeter
image=$(inspect '{{.Config.Image}}' greeter)
[ "$image" = greeter:slim ] && pass "greeter runs greeter:slim" ||
  fail "greeter runs greeter:slim" "docker run ... greeter:slim" "$image"
answer=$(body http://127.0.0.1:8080/)
case "$answer" in
  "hello, world (uid 0)"*) fail "the service answers as a user other than root" "hello, world (uid 65532)" "$answer" ;;
  "hello, world (uid "*) pass "http://localhost:8080/ answers: $(clean "$answer")" ;;
  *) fail "http://localhost:8080/ answers" "hello, world (uid ...)" "${answer:-no answer}"
     hint "docker logs greeter shows why it does not answer" ;;
esac
verdict
