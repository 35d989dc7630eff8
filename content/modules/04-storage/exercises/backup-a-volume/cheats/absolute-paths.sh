# An archive of the folder by its full path: restoring it recreates home/...
mkdir -p ~/backups ~/restore/shop-uploads-copy
tar czf ~/backups/shop-uploads.tar.gz "$HOME/volumes/shop-uploads" 2>/dev/null
cp -a ~/volumes/shop-uploads/. ~/restore/shop-uploads-copy/
