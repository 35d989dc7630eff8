# Reads shop/invoice:2.4.0's configuration, then starts it and runs its
# own health check inside it: a check that needs a missing tool fails.
require_image shop/invoice:2.4.0
img=shop/invoice:2.4.0
user=$(inspect '{{.Config.User}}' "$img")
case "${user%%:*}" in
  "" | root | 0) fail "the image runs as a user other than root" "USER 10001:10001" "${user:-no USER: root}" ;;
  *) pass "the image runs as $user" ;;
esac
if inspect '{{json .Config.Env}}' "$img" | grep -q 'inv_live_'; then
  fail "no key in the image's environment" "ENV API_KEY_FILE=/run/secrets/api-key, not the key" "the key is in ENV"
else
  pass "no key in the image's environment"
fi
if docker history --no-trunc "$img" 2>/dev/null | grep -q 'inv_live_'; then
  fail "no key in the image's history" "no ARG or ENV with the key" "docker history shows it"
fi
cmd=$(inspect '{{json .Config.Cmd}}' "$img")
case "$cmd" in
  '["/bin/sh","-c",'*) fail "CMD is in exec form" '["python", "-m", "invoice", "--port", "8000"]' "$cmd" ;;
  *invoice*) pass "CMD is in exec form" ;;
  *) fail "CMD starts invoice" '["python", "-m", "invoice", "--port", "8000"]' "$cmd" ;;
esac
test_cmd=$(inspect '{{json .Config.Healthcheck.Test}}' "$img")
case "$test_cmd" in
  null | "" | '["NONE"]') stop "the image has a HEALTHCHECK" "HEALTHCHECK CMD ..." "none" ;;
esac
pass "the image has a HEALTHCHECK"
name="berth-check-invoice-$$"
docker rm -f "$name" >/dev/null 2>&1
docker run -d --name "$name" --network none "$img" >/dev/null 2>&1
# The health check as the engine runs it: CMD's words as they are,
# CMD-SHELL's line through sh -c.
run_health() {
  if [ "$(inspect '{{index .Config.Healthcheck.Test 0}}' "$img")" = CMD-SHELL ]; then
    docker exec "$name" sh -c "$(inspect '{{index .Config.Healthcheck.Test 1}}' "$img")"
  else
    docker image inspect -f '{{range $i, $w := .Config.Healthcheck.Test}}{{if $i}}{{$w}}{{printf "%c" 0}}{{end}}{{end}}' "$img" |
      xargs -0 docker exec "$name"
  fi
}
if retry 15 run_health >/dev/null 2>&1; then
  pass "the health check passes inside a running container"
else
  fail "the health check passes inside a running container" "exit status 0" "$(run_health 2>&1 | tail -n 1)"
  hint "python:3.13-slim has no curl or wget: ask with python itself"
fi
docker rm -f "$name" >/dev/null 2>&1
expect_pinned_from "$LAB_HOME/hardening/Dockerfile" "~/hardening/Dockerfile" python
verdict
