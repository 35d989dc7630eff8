docker rm -f keeper >/dev/null 2>&1 || true
