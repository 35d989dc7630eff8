# Start without a container called shopfront; the nginx image itself comes
# from the lab's registry mirror when the learner runs it.
docker rm -f shopfront >/dev/null 2>&1 || true
