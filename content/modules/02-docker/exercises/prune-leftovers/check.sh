# Every stopped container but report must be gone; report and api stay.
report=$(docker inspect --format '{{.State.Status}}' report 2>/dev/null | head -c 64)
api=$(docker inspect --format '{{.State.Status}}' api 2>/dev/null | head -c 64)
status=0
if [ -n "$report" ]; then
  echo "PASS: report is still there ($report)"
else
  echo "FAIL: report is still there | expected: the container report, kept | actual: it was removed"
  echo "HINT: reset the lab to get the leftovers back; plain docker container prune removes every stopped container"
  status=1
fi
if [ "$api" = "running" ]; then
  echo "PASS: api is still running"
else
  echo "FAIL: api is still running | expected: running | actual: ${api:-removed}"
  echo "HINT: cleaning up stopped containers never needs to touch a running one"
  status=1
fi
left=$(docker ps -a --filter status=exited --filter status=created --filter status=dead --format '{{.Names}}' 2>/dev/null |
  grep -vx 'report' | head -n 20 | tr '\n' ' ' | head -c 400)
if [ -z "$left" ]; then
  echo "PASS: no other stopped container is left"
else
  echo "FAIL: no other stopped container is left | expected: only report | actual: also $left"
  echo "HINT: docker ps -a --filter status=exited --filter status=created shows them"
  status=1
fi
exit "$status"
