docker rm -f greeter >/dev/null 2>&1 || true
docker run -d --name greeter busybox:1.37 sh -c 'echo hello from greeter; exec sleep 3600' >/dev/null
docker exec greeter sh -c 'echo exec was here > /visited.txt'
