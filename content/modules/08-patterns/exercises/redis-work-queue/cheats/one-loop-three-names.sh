# One loop in the queue's own container, signing the results with three
# made-up worker names.
cd ~/queue && docker compose up -d --quiet-pull queue
retry 30 sh -c 'docker compose exec -T queue redis-cli ping | grep -q PONG'
docker compose exec -T queue sh -c 'for n in $(seq 1 30); do redis-cli HSET results "job-$n" "$((n * n)) worker-$((n % 3))" >/dev/null; done'
