nohup python3 -m http.server 8080 --bind 0.0.0.0 --directory "$HOME/site" >/dev/null 2>&1 &
nohup python3 -m http.server 9090 --bind 127.0.0.1 --directory "$HOME/admin" >/dev/null 2>&1 &
# Wait until both are listening.
i=0
while [ "$i" -lt 50 ]; do
  n=$(ss -ltnH | awk '$4 ~ /:(8080|9090)$/' | wc -l)
  [ "$n" -ge 2 ] && break
  sleep 0.1
  i=$((i + 1))
done
