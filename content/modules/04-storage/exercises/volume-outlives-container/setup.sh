docker image inspect mini >/dev/null 2>&1 ||
  tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - mini >/dev/null
docker rm -f writer >/dev/null 2>&1 || true
docker volume rm -f notes >/dev/null 2>&1 || true
