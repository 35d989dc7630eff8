# Reads greeter's state, logs and one file from the lab's engine; nothing
# of the learner's is run (docker cp copies the file out as a tar stream).
require_container greeter "docker run -d --name greeter busybox:1.37 sh -c '...'"
state=$(inspect '{{.State.Status}}' greeter)
expect_is "greeter is running" running "$state" \
  "after printing its line the main process must keep going, e.g. with exec sleep 3600"
logs=$(docker logs greeter 2>&1 | head -c 65536 | tr -d '\r')
if printf '%s\n' "$logs" | grep -qxF 'hello from greeter'; then
  pass "greeter's logs have the line 'hello from greeter'"
else
  fail "greeter's logs have the line 'hello from greeter'" "that line, exactly" "$(printf '%s' "$logs" | head -n 1 | cut -c1-80)"
  hint "docker logs shows what the main process writes to stdout and stderr"
fi
cmd=$(inspect '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' greeter)
case "$cmd" in
  *visited*)
    fail "/visited.txt was written by docker exec" "a main command that does not mention visited.txt" "$cmd"
    hint "start greeter with a command that only prints and sleeps, then use docker exec on the running container" ;;
esac
if [ "$state" = "running" ]; then
  content=$(copied_out greeter /visited.txt)
  if [ -z "$content" ]; then
    fail "/visited.txt exists inside greeter" "a file with 'exec was here'" "no such file (or empty)"
    hint "docker exec greeter sh -c 'echo exec was here > /visited.txt'"
  else
    expect_is "/visited.txt inside greeter says 'exec was here'" "exec was here" "$content"
  fi
fi
verdict
