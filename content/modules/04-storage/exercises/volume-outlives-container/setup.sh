docker rm -f writer >/dev/null 2>&1 || true
docker volume rm -f notes >/dev/null 2>&1 || true
