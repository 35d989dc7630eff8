cat > "$HOME/backup-commands.txt" <<'EOC'
# Back up the volume shop-uploads into ./backups on the host.
docker run --rm \
  -v shop-uploads:/data:ro \
  -v "$(pwd)/backups":/backup \
  alpine:3.20 \
  tar czf /backup/shop-uploads.tar.gz -C /data .

# Restore it into the volume shop-uploads-copy.
docker run --rm --mount type=volume,source=shop-uploads-copy,target=/data --mount type=bind,source="$(pwd)/backups",target=/backup alpine:3.20 tar -xzf /backup/shop-uploads.tar.gz -C /data
EOC
