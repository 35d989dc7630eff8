docker rm -f flaky >/dev/null 2>&1 || true
