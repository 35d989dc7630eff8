# The volume's file is read by copying it out of a container that is
# created (never started) for the check and removed right after.
status=0
if docker inspect --type container writer >/dev/null 2>&1; then
  echo "FAIL: the container writer was removed | expected: no container named writer | actual: writer still exists"
  echo "HINT: docker rm writer (the volume stays)"
  status=1
else
  echo "PASS: no container named writer is left"
fi
driver=$(docker volume inspect --format '{{.Driver}}' notes 2>/dev/null | head -c 64)
if [ -z "$driver" ]; then
  echo "FAIL: the volume notes exists | expected: a named volume called notes | actual: docker volume ls has no notes"
  echo "HINT: -v notes:/data creates and mounts the named volume notes"
  exit 1
fi
echo "PASS: the named volume notes exists"
probe="berth-check-$$"
docker create --name "$probe" --network none --label berth.check=1 -v notes:/data:ro busybox:1.37 true >/dev/null 2>&1
content=$(docker cp "$probe:/data/todo.txt" - 2>/dev/null | head -c 65536 | tar -xOf - 2>/dev/null | head -c 256 | tr -d '\r')
docker rm -f "$probe" >/dev/null 2>&1
if [ "$content" = "water the plants" ]; then
  echo "PASS: todo.txt in the volume says 'water the plants'"
elif [ -z "$content" ]; then
  echo "FAIL: todo.txt is in the volume | expected: /data/todo.txt with 'water the plants' | actual: no such file in notes (or it is empty)"
  echo "HINT: the file must be written below the path where notes is mounted (/data)"
  status=1
else
  echo "FAIL: todo.txt says 'water the plants' | expected: water the plants | actual: $(printf '%s' "$content" | head -n 1 | cut -c1-80)"
  status=1
fi
exit "$status"
