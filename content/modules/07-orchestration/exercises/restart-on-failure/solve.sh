docker run -d --name flaky --restart on-failure:10 busybox:1.37 sh -c 'sleep 2; exit 1'
retry 30 sh -c '[ "$(docker inspect -f "{{.RestartCount}}" flaky)" -ge 1 ]'
