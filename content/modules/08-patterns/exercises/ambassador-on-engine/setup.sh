# The small `mini` image, made from the lab's busybox (once): nothing to pull.
docker image inspect mini >/dev/null 2>&1 || tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - mini >/dev/null
mkdir -p "$HOME/ambassador-live"
cat > "$HOME/ambassador-live/compose.yaml" <<'YAML'
services:
  app:
    image: mini
    environment:
      CACHE_ADDR: cache.prod.example.net:6379
    # Asks the cache every two seconds and prints the answer.
    command: ["sh", "-c", "while true; do wget -q -T 2 -O - http://$$CACHE_ADDR/ || echo cache unreachable; sleep 2; done"]

  ambassador:
    image: mini
    # Stands in for a proxy such as socat or Envoy: answers on port 6379.
    command: ["sh", "-c", "mkdir -p /www && echo 'ambassador: cache reached' > /www/index.html && httpd -f -p 6379 -h /www"]
YAML
