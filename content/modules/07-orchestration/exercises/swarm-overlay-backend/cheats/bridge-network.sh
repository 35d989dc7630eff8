# A local bridge network: services cannot use it, so containers stand in.
docker network create backend
docker run -d --name api --network backend busybox httpd -f -p 80 -h /
docker run -d --name probe --network backend busybox sh -c 'wget -qO /dev/null http://api/etc/hostname && echo reached api; sleep 3600'
