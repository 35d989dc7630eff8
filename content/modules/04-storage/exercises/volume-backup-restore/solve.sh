mkdir -p "$HOME/backups"
docker run --rm -v shop-uploads:/data:ro -v "$HOME/backups":/backup busybox:1.37 tar cf /backup/shop-uploads.tar -C /data .
docker volume create shop-uploads-restored >/dev/null
docker run --rm -v shop-uploads-restored:/data -v "$HOME/backups":/backup busybox:1.37 tar xf /backup/shop-uploads.tar -C /data
