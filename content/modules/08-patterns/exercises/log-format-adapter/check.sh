# Reads what the adapter container wrote to its output, and compares it
# with the translation of what the legacy container wrote.
P=adapter
adapter=$(docker ps -q --filter "label=com.docker.compose.project=$P" --filter label=com.docker.compose.service=adapter | head -n 1)
legacy=$(docker ps -q --filter "label=com.docker.compose.project=$P" --filter label=com.docker.compose.service=legacy | head -n 1)
[ -n "$adapter" ] && [ -n "$legacy" ] ||
  stop "the legacy and adapter containers are running" "docker compose up -d in ~/adapter" "legacy=${legacy:-none} adapter=${adapter:-none}"
pass "the legacy and adapter containers are running"
retry 10 sh -c "docker logs $adapter 2>/dev/null | grep -q 'nightly report'"
tmp=$(mktemp)
docker logs "$adapter" 2>/dev/null | head -c 65536 > "$tmp"
docker exec "$legacy" cat /logs/app.log 2>/dev/null | head -c 65536 > "$tmp.in"
py "$tmp" "$tmp.in" <<'PY'
LEVELS = {"I": "info", "W": "warn", "E": "error", "D": "debug"}
want = []
for line in read_text(sys.argv[2]).splitlines():
    parts = line.split(";", 2)
    if len(parts) == 3:
        want.append({"time": parts[0], "level": LEVELS[parts[1]], "msg": parts[2]})
got, broken = [], []
for line in read_text(sys.argv[1]).splitlines():
    try:
        got.append(json.loads(line))
    except ValueError:
        broken.append(line)
check(not broken, "every line the adapter writes is JSON", "one JSON object per line",
      broken[0] if broken else "", "let a JSON library do the quoting: a message holds a quote and a backslash")
check(len(want) == 7 and got[-len(want):] == want, "the adapter's output is the legacy log, translated and in order",
      json.dumps(want[0]) + " ...", json.dumps(got[0]) if got else "nothing yet")
PY
[ $? -eq 0 ] || failed=1
rm -f "$tmp" "$tmp.in"
verdict
