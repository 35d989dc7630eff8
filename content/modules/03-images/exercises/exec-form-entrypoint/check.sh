# Reads probe's configuration, then runs it the way a user would: with a
# URL of their own, and stopped with docker stop.
require_image probe
entrypoint=$(inspect '{{json .Config.Entrypoint}}' probe)
cmd=$(inspect '{{json .Config.Cmd}}' probe)
if [ "$entrypoint" = '["/usr/local/bin/probe.sh"]' ]; then
  pass "ENTRYPOINT runs the script itself (exec form)"
else
  fail "ENTRYPOINT runs the script itself (exec form)" '["/usr/local/bin/probe.sh"]' "$entrypoint"
  case "$entrypoint" in '["/bin/sh","-c"'*) hint "that is the shell form: the JSON array needs double quotes" ;; esac
fi
if [ "$cmd" = '["https://example.com"]' ]; then
  pass "CMD holds only the default URL"
else
  fail "CMD holds only the default URL" '["https://example.com"]' "$cmd"
fi
name="berth-check-probe-$$"
docker rm -f "$name" >/dev/null 2>&1
docker run -d --name "$name" --network none probe http://status.invalid/ >/dev/null 2>&1
if retry 5 sh -c "docker logs $name 2>&1 | grep -q 'probing http://status.invalid/'"; then
  pass "docker run probe URL probes that URL"
else
  fail "docker run probe URL probes that URL" "probing http://status.invalid/" "$(docker logs "$name" 2>&1 | head -n 2)"
  hint "arguments after the image name reach only an exec-form ENTRYPOINT"
fi
start=$(date +%s)
docker stop -t 8 "$name" >/dev/null 2>&1
took=$(( $(date +%s) - start ))
code=$(inspect '{{.State.ExitCode}}' "$name")
if [ "$took" -le 3 ] && [ "$code" = 0 ]; then
  pass "docker stop ends it at once and cleanly (${took}s, exit 0)"
else
  fail "docker stop ends it at once and cleanly" "the script handles SIGTERM: under 3 s, exit 0" "${took}s, exit ${code:-?}"
  hint "in the shell form the signal goes to sh, which does not pass it on"
fi
docker rm -f "$name" >/dev/null 2>&1
verdict
