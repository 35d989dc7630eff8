cd ~/queue && docker compose up -d --quiet-pull --scale worker=3
retry 60 sh -c '[ "$(docker compose exec -T queue redis-cli HLEN results)" = 30 ]'
