docker network create --driver overlay --attachable backend >/dev/null
docker service create --detach --name api --network backend --endpoint-mode dnsrr --replicas 2 \
  busybox httpd -f -p 80 -h / >/dev/null 2>&1
docker service create --detach --name probe --network backend \
  busybox sh -c 'until wget -qO /dev/null http://api/etc/hostname; do sleep 1; done; echo reached api; sleep 3600' >/dev/null 2>&1
i=0
while [ "$i" -lt 30 ] && ! docker service logs probe 2>/dev/null | grep -q 'reached api'; do
  i=$((i + 1)); sleep 0.5
done
