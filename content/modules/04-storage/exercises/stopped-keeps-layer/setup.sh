docker rm -f scratchpad >/dev/null 2>&1 || true
