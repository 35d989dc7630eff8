docker network connect backend proxy
i=0
while [ "$i" -lt 50 ] && ! docker exec proxy wget -q -T 2 -O /dev/null http://stock/ 2>/dev/null; do
  sleep 0.1
  i=$((i + 1))
done
