# Reads the results from the project's own Redis, and compares who wrote
# them with the worker containers Compose started.
queue=$(docker ps -q --filter label=com.docker.compose.project=queue --filter label=com.docker.compose.service=queue | head -n 1)
[ -n "$queue" ] || stop "the queue service is running" "docker compose up in ~/queue" "no running queue container"
pass "the queue service is running"
workers=$(docker ps -a --filter label=com.docker.compose.project=queue --filter label=com.docker.compose.service=worker \
  --format '{{.ID}}' | cut -c1-12 | sort -u)
results() { docker exec "$queue" redis-cli --raw HGETALL results 2>/dev/null | head -n 200; }
retry 30 sh -c "[ \"\$(docker exec $queue redis-cli HLEN results 2>/dev/null)\" = 30 ]"
py "$workers" <<PY
import subprocess
raw = subprocess.run(["docker", "exec", "$queue", "redis-cli", "--raw", "HGETALL", "results"],
                     capture_output=True, text=True, timeout=20).stdout.split("\n")
pairs = dict(zip(raw[0::2], raw[1::2]))
workers = set(sys.argv[1].split())
right = {}
for n in range(1, 31):
    value = pairs.get("job-%d" % n, "")
    parts = value.split()
    if len(parts) == 2 and parts[0] == str(n * n):
        right[n] = parts[1]
check(len(right) == 30, "all 30 jobs have the right result", "30 squares in the hash results",
      "%d right of %d results" % (len(right), len(pairs)), "the producer queues 30 jobs once the queue is healthy")
by = set(right.values())
check(by <= workers, "every result was written by a worker container of the project",
      "host names of worker containers", ", ".join(sorted(by - workers))[:120] or "none",
      "the workers write their own host name, which is their container's id")
check(len(by & workers) >= 3, "at least three workers shared the jobs", "three or more",
      "%d: %s" % (len(by & workers), ", ".join(sorted(by & workers))),
      "docker compose up -d --scale worker=3")
PY
[ $? -eq 0 ] || failed=1
verdict
