# Every stopped container but report must be gone; report and api stay, as
# the very containers the lab made: the engine's own event history must
# show neither destroyed (a deleted and recreated report has the name, not
# the identity).
report=$(inspect '{{.State.Status}}' report)
api=$(inspect '{{.State.Status}}' api)
if [ -n "$report" ]; then
  pass "report is still there ($report)"
else
  fail "report is still there" "the container report, kept" "it was removed"
  hint "reset the lab to get the leftovers back; plain docker container prune removes every stopped container"
fi
if [ "$api" = running ]; then
  pass "api is still running"
else
  fail "api is still running" "running" "${api:-removed}"
  hint "cleaning up stopped containers never needs to touch a running one"
fi
gone=$(docker events --since 0 --until "$(date +%s)" --filter type=container --filter event=destroy \
  --format '{{.Actor.Attributes.name}}' 2>/dev/null | grep -x -e report -e api | sort -u | tr '\n' ' ')
if [ -z "$gone" ]; then
  pass "report and api were never removed and made again"
else
  fail "report and api were never removed and made again" "the lab's own containers, kept" "the engine removed: $gone"
  hint "a new container with the same name is not the one that holds the report; reset the lab"
fi
left=$(docker ps -a --filter status=exited --filter status=created --filter status=dead --format '{{.Names}}' 2>/dev/null |
  grep -vx 'report' | head -n 20 | tr '\n' ' ')
if [ -z "$left" ]; then
  pass "no other stopped container is left"
else
  fail "no other stopped container is left" "only report" "also $left"
  hint "docker ps -a --filter status=exited --filter status=created shows them"
fi
verdict
