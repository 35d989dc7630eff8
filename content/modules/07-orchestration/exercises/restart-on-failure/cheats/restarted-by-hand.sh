# Restarted by hand: the engine did not repair anything.
docker run -d --name flaky busybox:1.37 sh -c 'sleep 1; exit 1'
sleep 2
docker start flaky
sleep 2
docker start flaky
