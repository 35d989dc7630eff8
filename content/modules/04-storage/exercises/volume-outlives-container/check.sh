# The volume's file is read by copying it out of a container that is
# created (never started) for the check and removed right after.
if docker inspect --type container writer >/dev/null 2>&1; then
  fail "the container writer was removed" "no container named writer" "writer still exists"
  hint "docker rm writer (the volume stays)"
else
  pass "no container named writer is left"
fi
[ -n "$(docker volume inspect --format '{{.Driver}}' notes 2>/dev/null | head -c 64)" ] ||
  stop "the volume notes exists" "a named volume called notes" "docker volume ls has no notes" \
    "-v notes:/data creates and mounts the named volume notes"
pass "the named volume notes exists"
probe="berth-check-$$"
docker create --name "$probe" --network none --label berth.check=1 -v notes:/data:ro busybox:1.37 true >/dev/null 2>&1
content=$(copied_out "$probe" /data/todo.txt)
docker rm -f "$probe" >/dev/null 2>&1
if [ -z "$content" ]; then
  fail "todo.txt is in the volume" "/data/todo.txt with 'water the plants'" "no such file in notes (or it is empty)"
  hint "the file must be written below the path where notes is mounted (/data)"
else
  expect_is "todo.txt in the volume says 'water the plants'" "water the plants" "$content"
fi
verdict
