# scratchpad's state and writable layer, as the engine reports them;
# docker cp reads the file from the stopped container without running it.
info=$(docker inspect --format '{{.State.Status}}|{{.State.StartedAt}}|{{json .Config.Entrypoint}} {{json .Config.Cmd}}' scratchpad 2>/dev/null | head -c 4096)
if [ -z "$info" ]; then
  echo "FAIL: a container named scratchpad exists | expected: a stopped container | actual: none (was it removed?)"
  exit 1
fi
echo "PASS: a container named scratchpad exists"
IFS='|' read -r state started cmd <<EOT
$info
EOT
status=0
case "$cmd" in
  *notes*)
    echo "FAIL: /notes.txt was written while the container ran, with docker exec | expected: a main command that does not mention notes.txt | actual: $cmd"
    status=1 ;;
esac
case "$started" in
  0001-*|'')
    echo "FAIL: scratchpad was started | expected: a container that ran | actual: created, never started"
    status=1 ;;
esac
if [ "$state" = "exited" ]; then
  echo "PASS: scratchpad is stopped (exited)"
else
  echo "FAIL: scratchpad is stopped | expected: exited | actual: $state"
  echo "HINT: docker stop -t 1 scratchpad"
  status=1
fi
if docker diff scratchpad 2>/dev/null | head -n 200 | grep -qx 'A /notes.txt'; then
  echo "PASS: docker diff lists A /notes.txt in its writable layer"
else
  echo "FAIL: docker diff lists A /notes.txt | expected: A /notes.txt | actual: $(docker diff scratchpad 2>/dev/null | head -n 3 | tr '\n' ' ' | cut -c1-120)"
  status=1
fi
content=$(docker cp scratchpad:/notes.txt - 2>/dev/null | head -c 65536 | tar -xOf - 2>/dev/null | head -c 256 | tr -d '\r')
if [ "$content" = "draft 1" ]; then
  echo "PASS: /notes.txt says 'draft 1'"
else
  echo "FAIL: /notes.txt says 'draft 1' | expected: draft 1 | actual: $(printf '%s' "$content" | head -n 1 | cut -c1-80)"
  status=1
fi
exit "$status"
