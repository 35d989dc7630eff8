# A producer, a Redis list and a worker service, not yet started.
set -e
d="$HOME/queue"
rm -rf "$d"
mkdir -p "$d"
cat > "$d/compose.yaml" <<'YAML'
services:
  queue:
    image: redis:8
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 1s
      retries: 30

  producer:
    image: redis:8
    depends_on:
      queue: {condition: service_healthy}
    command: ["sh", "-c", "for i in $$(seq 1 30); do redis-cli -h queue LPUSH jobs $$i >/dev/null; done; echo queued 30 jobs"]

  worker:
    image: redis:8
    depends_on:
      queue: {condition: service_healthy}
    command:
      - sh
      - -c
      - |
        while true; do
          n=$$(redis-cli -h queue --raw BRPOP jobs 0 | tail -n 1)
          sleep 0.3
          redis-cli -h queue HSET results "job-$$n" "$$((n * n)) $$HOSTNAME" >/dev/null
          echo "$$HOSTNAME squared $$n"
        done
YAML
