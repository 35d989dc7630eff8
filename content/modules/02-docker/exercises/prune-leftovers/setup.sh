# A lab that has been used for a while: finished one-off containers, a
# failed test, one that was created and never started, a report worth
# keeping, and a service that must stay up.
docker rm -f report smoke-test never-started api >/dev/null 2>&1 || true
docker run --name report --label keep=true busybox:1.37 sh -c 'echo "nightly report: 42 orders, 0 refunds"' >/dev/null
docker run busybox:1.37 echo one-off >/dev/null
docker run busybox:1.37 sh -c 'exit 1' >/dev/null 2>&1 || true
docker run --name smoke-test busybox:1.37 sh -c 'echo "smoke test failed"; exit 3' >/dev/null 2>&1 || true
docker create --name never-started busybox:1.37 true >/dev/null
docker run -d --name api --label tier=backend busybox:1.37 sleep 3600 >/dev/null
