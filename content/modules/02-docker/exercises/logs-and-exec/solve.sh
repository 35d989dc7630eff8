docker rm -f greeter >/dev/null 2>&1 || true
docker run -d --name greeter mini sh -c 'echo hello from greeter; exec sleep 3600' >/dev/null
docker exec greeter /busybox sh -c 'echo exec was here > /visited.txt'
