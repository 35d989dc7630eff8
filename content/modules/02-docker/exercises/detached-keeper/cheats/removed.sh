# Stopped and removed: the container must stay, exited.
docker run -d --name keeper --restart unless-stopped --label tier=practice busybox:1.37 sleep 3600
docker rm -f keeper
