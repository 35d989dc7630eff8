# Volume copied straight into the new volume: no backup file exists.
docker volume create shop-uploads-restored
docker run --rm -v shop-uploads:/from:ro -v shop-uploads-restored:/to busybox:1.37 cp -a /from/. /to/
