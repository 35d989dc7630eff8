# Reads greeter's state, logs and one file from the lab's engine; nothing
# of the learner's is run (docker cp copies the file out as a tar stream).
state=$(docker inspect --format '{{.State.Status}}' greeter 2>/dev/null | head -c 64)
if [ -z "$state" ]; then
  echo "FAIL: a container named greeter exists | expected: a container | actual: none"
  echo "HINT: docker run -d --name greeter busybox:1.37 sh -c '...'"
  exit 1
fi
echo "PASS: a container named greeter exists"
status=0
if [ "$state" = "running" ]; then
  echo "PASS: greeter is running"
else
  echo "FAIL: greeter is running | expected: running | actual: $state"
  echo "HINT: after printing its line the main process must keep going, e.g. with exec sleep 3600"
  status=1
fi
if docker logs greeter 2>&1 | head -c 65536 | tr -d '\r' | grep -qxF 'hello from greeter'; then
  echo "PASS: greeter's logs have the line 'hello from greeter'"
else
  got=$(docker logs greeter 2>&1 | head -c 65536 | tr -d '\r' | head -n 1 | cut -c1-80)
  echo "FAIL: greeter's logs have the line 'hello from greeter' | expected: that line, exactly | actual: ${got:-no output}"
  echo "HINT: docker logs shows what the main process writes to stdout and stderr"
  status=1
fi
cmd=$(docker inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' greeter 2>/dev/null | head -c 4096)
case "$cmd" in
  *visited*)
    echo "FAIL: /visited.txt was written by docker exec | expected: a main command that does not mention visited.txt | actual: $cmd"
    echo "HINT: start greeter with a command that only prints and sleeps, then use docker exec on the running container"
    status=1 ;;
esac
if [ "$state" = "running" ]; then
  content=$(docker cp greeter:/visited.txt - 2>/dev/null | head -c 65536 | tar -xOf - 2>/dev/null | head -c 256 | tr -d '\r')
  if [ "$content" = "exec was here" ]; then
    echo "PASS: /visited.txt inside greeter says 'exec was here'"
  elif [ -z "$content" ]; then
    echo "FAIL: /visited.txt exists inside greeter | expected: a file with 'exec was here' | actual: no such file (or empty)"
    echo "HINT: docker exec greeter sh -c 'echo exec was here > /visited.txt'"
    status=1
  else
    echo "FAIL: /visited.txt says 'exec was here' | expected: exec was here | actual: $(printf '%s' "$content" | head -n 1 | cut -c1-80)"
    status=1
  fi
fi
exit "$status"
