# The file is there, but the container was never stopped.
docker run -d --name scratchpad busybox:1.37 sleep 3600
docker exec scratchpad sh -c 'echo draft 1 > /notes.txt'
