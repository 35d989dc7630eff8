mkdir -p "$HOME/backups" "$HOME/restore/shop-uploads-copy"
tar czf "$HOME/backups/shop-uploads.tar.gz" -C "$HOME/volumes/shop-uploads" .
tar xzf "$HOME/backups/shop-uploads.tar.gz" -C "$HOME/restore/shop-uploads-copy"
