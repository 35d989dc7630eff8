mkdir -p "$HOME/backups"
docker run --rm -v shop-uploads:/data:ro -v "$HOME/backups":/backup mini tar cf /backup/shop-uploads.tar -C /data .
docker volume create shop-uploads-restored >/dev/null
docker run --rm -v shop-uploads-restored:/data -v "$HOME/backups":/backup mini tar xf /backup/shop-uploads.tar -C /data
