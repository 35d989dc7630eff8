# Reads flaky's restart policy and the engine's own restart count.
policy=$(inspect '{{.HostConfig.RestartPolicy.Name}}' flaky)
[ -n "$policy" ] || stop "a container named flaky exists" "docker run -d --name flaky --restart ..." "no such container"
case "$policy" in
  on-failure | always | unless-stopped) pass "flaky has the restart policy $policy" ;;
  *) fail "flaky has a restart policy" "on-failure (or always, unless-stopped)" "${policy:-no}" ;;
esac
code=$(inspect '{{.State.ExitCode}}' flaky)
cmd=$(inspect '{{json .Config.Cmd}}' flaky)
count=$(inspect '{{.RestartCount}}' flaky)
if [ "${count:-0}" -ge 1 ] 2>/dev/null; then
  pass "the engine restarted it $count time(s) after its process exited"
else
  fail "the engine restarted it after its process exited" "RestartCount 1 or more" "RestartCount ${count:-0} (last exit code ${code:-none}, command $cmd)"
  hint "the process must end by itself, with a non-zero status for on-failure; give it a few seconds"
fi
verdict
