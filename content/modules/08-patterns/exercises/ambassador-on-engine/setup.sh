# The small `busybox:1.37` image, made from the lab's busybox (once): nothing to pull.
mkdir -p "$HOME/ambassador-live"
cat > "$HOME/ambassador-live/compose.yaml" <<'YAML'
services:
  app:
    image: busybox:1.37
    environment:
      CACHE_ADDR: cache.prod.example.net:6379
    # Asks the cache every two seconds and prints the answer.
    command: ["sh", "-c", "while true; do wget -q -T 2 -O - http://$$CACHE_ADDR/ || echo cache unreachable; sleep 2; done"]

  ambassador:
    image: busybox:1.37
    # Stands in for a proxy such as socat or Envoy: answers on port 6379.
    command: ["sh", "-c", "mkdir -p /www && echo 'ambassador: cache reached' > /www/index.html && httpd -f -p 6379 -h /www"]
YAML
