docker rm -f scratchpad >/dev/null 2>&1 || true
docker run -d --name scratchpad busybox:1.37 sleep 3600 >/dev/null
docker exec scratchpad sh -c 'echo draft 1 > /notes.txt'
docker stop -t 1 scratchpad >/dev/null
