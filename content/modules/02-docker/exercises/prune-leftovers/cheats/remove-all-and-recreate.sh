# The blunt way: remove everything, then make report and api again.
docker rm -f $(docker ps -aq)
docker run --name report --label keep=true busybox:1.37 sh -c 'echo "nightly report: 42 orders, 0 refunds"'
docker run -d --name api --label tier=backend busybox:1.37 sleep 3600
