# A lab that has been used for a while: finished one-off containers, a
# failed test, one that was created and never started, a report worth
# keeping, and a service that must stay up.
docker image inspect mini >/dev/null 2>&1 ||
  tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - mini >/dev/null
docker rm -f report smoke-test never-started api >/dev/null 2>&1 || true
docker run --name report --label keep=true mini sh -c 'echo "nightly report: 42 orders, 0 refunds"' >/dev/null
docker run mini echo one-off >/dev/null
docker run mini sh -c 'exit 1' >/dev/null 2>&1 || true
docker run --name smoke-test mini sh -c 'echo "smoke test failed"; exit 3' >/dev/null 2>&1 || true
docker create --name never-started mini true >/dev/null
docker run -d --name api --label tier=backend mini sleep 3600 >/dev/null
