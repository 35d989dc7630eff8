# The new setting on a new service: all three tasks went down at once.
docker service rm hello
docker service create --detach --name hello --init --replicas 3 --env GREETING=bonjour busybox httpd -f -p 80 -h /
