# Compares the layers of the two builds: everything up to the install must
# be the very same layers (the cache was used), only the code may differ.
require_image notes-api:1
require_image notes-api:2
# History, oldest first, of the steps that made a layer.
steps=$(docker history --no-trunc --format '{{.Size}}|{{.CreatedBy}}' notes-api:2 2>/dev/null | tac | head -c 20000)
install=$(printf '%s\n' "$steps" | grep -n 'pip install' | head -n 1 | cut -d: -f1)
copy_all=$(printf '%s\n' "$steps" | grep -n 'COPY \. \.' | tail -n 1 | cut -d: -f1)
if [ -z "$install" ] || [ -z "$copy_all" ]; then
  stop "notes-api:2 installs the dependencies and copies the code" "RUN pip install ... and COPY . ." "$(printf '%s' "$steps" | cut -d'|' -f2 | tail -n 4)"
fi
if [ "$install" -lt "$copy_all" ]; then
  pass "the install runs before COPY . ."
else
  fail "the install runs before COPY . ." "COPY requirements.txt, RUN pip install, then COPY . ." "COPY . . comes first"
fi
tmp=$(mktemp -d)
inspect '{{range .RootFS.Layers}}{{println .}}{{end}}' notes-api:1 | grep . > "$tmp/1"
inspect '{{range .RootFS.Layers}}{{println .}}{{end}}' notes-api:2 | grep . > "$tmp/2"
n1=$(wc -l < "$tmp/1")
n2=$(wc -l < "$tmp/2")
shared=$(paste -d' ' "$tmp/1" "$tmp/2" | awk '$1 == $2 { n++; next } { exit } END { print n + 0 }')
rm -rf "$tmp"
if [ "$n1" -eq "$n2" ] && [ "$shared" -eq $((n2 - 1)) ]; then
  pass "notes-api:1 and :2 share every layer but the last ($shared of $n2): the install came from the cache"
elif [ "$shared" -eq "$n2" ]; then
  fail "notes-api:2 has the changed code" "a second build after editing app.py" "the same layers as notes-api:1"
else
  fail "notes-api:1 and :2 share every layer but the last" "only the COPY . . layer differs" "$shared of $n2 layers shared"
  hint "build :1, edit app.py, build :2: with the right order only the last step runs again"
fi
v1=$(in_image notes-api:1 cat /srv/app.py | grep -o 'RELEASE = "[^"]*"')
v2=$(in_image notes-api:2 cat /srv/app.py | grep -o 'RELEASE = "[^"]*"')
if [ -n "$v2" ] && [ "$v1" != "$v2" ]; then
  pass "the two images hold different code ($v1, $v2)"
else
  fail "the two images hold different code" "an edit of app.py between the builds" "$v1 and $v2"
fi
verdict
