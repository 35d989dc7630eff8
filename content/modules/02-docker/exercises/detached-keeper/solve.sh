docker rm -f keeper >/dev/null 2>&1 || true
docker run -d --name keeper --restart unless-stopped --label tier=practice busybox:1.37 sleep 3600 >/dev/null
docker stop -t 2 keeper >/dev/null
