# A real named volume with some uploads in it, a hidden file included.
docker volume rm -f shop-uploads shop-uploads-restored >/dev/null 2>&1 || true
rm -f "$HOME/backups/shop-uploads.tar"
token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
docker run --rm --network none -e "TOKEN=$token" -v shop-uploads:/data busybox:1.37 sh -c '
  mkdir -p /data/avatars /data/invoices/2025
  echo "avatar of ana, $TOKEN" > /data/avatars/ana.png
  echo "avatar of bo, $TOKEN" > /data/avatars/bo.png
  echo "invoice 0001, 42.00 EUR, $TOKEN" > /data/invoices/2025/inv-0001.pdf
  echo "invoice 0002, 17.50 EUR, $TOKEN" > /data/invoices/2025/inv-0002.pdf
  printf "owner=uploads-service\nid=%s\n" "$TOKEN" > /data/.volume-info'
