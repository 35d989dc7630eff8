docker rm -f greeter >/dev/null 2>&1 || true
