# No ambassador: the app is pointed at the cache's name.
cd ~/ambassador-live
sed -i 's/CACHE_HOST: cache.prod.example.net/CACHE_HOST: cache/' compose.yaml
docker compose up -d --quiet-pull
retry 30 sh -c 'docker compose logs app | grep -q "visits: [0-9]"'
