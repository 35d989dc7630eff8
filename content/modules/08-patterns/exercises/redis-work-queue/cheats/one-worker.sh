# The stack as it is: one worker does all the jobs.
cd ~/queue && docker compose up -d --quiet-pull
retry 60 sh -c '[ "$(docker compose exec -T queue redis-cli HLEN results)" = 30 ]'
