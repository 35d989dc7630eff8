# Every wall, but the key handed over as a value.
docker build -q -t shop/invoice:2.3.1 ~/invoice
docker run -d --name invoice --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges \
  --read-only --tmpfs /tmp --memory 256m --cpus 0.5 --pids-limit 100 \
  -e API_KEY="$(cat ~/invoice/secrets/api-key.txt)" -e API_KEY_FILE=/proc/self/environ \
  -p 8080:8080 shop/invoice:2.3.1
