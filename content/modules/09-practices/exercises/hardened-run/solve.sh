docker build -q -t shop/invoice:2.3.1 ~/invoice
docker run -d --name invoice \
  --user 10001:10001 \
  --cap-drop ALL \
  --security-opt no-new-privileges \
  --read-only --tmpfs /tmp \
  --memory 256m --cpus 0.5 --pids-limit 100 \
  -v "$HOME/invoice/secrets/api-key.txt":/run/secrets/api-key:ro \
  -e API_KEY_FILE=/run/secrets/api-key \
  -p 8080:8080 \
  shop/invoice:2.3.1
retry 20 http_says http://127.0.0.1:8080/health ok
