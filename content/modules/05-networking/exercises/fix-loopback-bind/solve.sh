d="$HOME/orders"
sed -i 's/^HOST=.*/HOST=0.0.0.0/' "$d/orders.env"
if [ -f "$d/server.pid" ]; then
  kill "$(cat "$d/server.pid")" 2>/dev/null
fi
# Wait for the old listener to go away, then start the service again.
i=0
while [ "$i" -lt 30 ] && ss -ltnH | awk '$4 ~ /:5000$/ { f = 1 } END { exit !f }'; do
  sleep 0.1
  i=$((i + 1))
done
cd "$d" && nohup python3 server.py >/dev/null 2>&1 &
i=0
while [ "$i" -lt 50 ] && ! ss -ltnH | awk '$4 ~ /^0\.0\.0\.0:5000$/ { f = 1 } END { exit !f }'; do
  sleep 0.1
  i=$((i + 1))
done
