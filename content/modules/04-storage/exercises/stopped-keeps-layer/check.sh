# scratchpad's state and writable layer, as the engine reports them;
# docker cp reads the file from the stopped container without running it.
[ -n "$(inspect '{{.State.Status}}' scratchpad)" ] ||
  stop "a container named scratchpad exists" "a stopped container" "none (was it removed?)"
pass "a container named scratchpad exists"
cmd=$(inspect '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' scratchpad)
case "$cmd" in
  *notes*) fail "/notes.txt was written while the container ran, with docker exec" \
    "a main command that does not mention notes.txt" "$cmd" ;;
esac
case "$(inspect '{{.State.StartedAt}}' scratchpad)" in
  0001-*|'') fail "scratchpad was started" "a container that ran" "created, never started" ;;
esac
expect_is "scratchpad is stopped (exited)" exited "$(inspect '{{.State.Status}}' scratchpad)" "docker stop -t 1 scratchpad"
changes=$(docker diff scratchpad 2>/dev/null | head -n 200)
if printf '%s\n' "$changes" | grep -qx 'A /notes.txt'; then
  pass "docker diff lists A /notes.txt in its writable layer"
else
  fail "docker diff lists A /notes.txt" "A /notes.txt" "$(printf '%s\n' "$changes" | head -n 3)"
fi
expect_is "/notes.txt says 'draft 1'" "draft 1" "$(copied_out scratchpad /notes.txt)"
verdict
