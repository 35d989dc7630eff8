# A directory that stands in for a volume's _data, with a hidden file.
v="$HOME/volumes/shop-uploads"
rm -rf "$HOME/volumes" "$HOME/backups" "$HOME/restore"
mkdir -p "$v/avatars" "$v/invoices/2025"
token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
printf 'PNG stand-in for ana %s\n' "$token" > "$v/avatars/ana.png"
printf 'PNG stand-in for bo %s\n' "$token" > "$v/avatars/bo.png"
printf 'Invoice 0001, 42.00 EUR, %s\n' "$token" > "$v/invoices/2025/inv-0001.pdf"
printf 'Invoice 0002, 17.50 EUR, %s\n' "$token" > "$v/invoices/2025/inv-0002.pdf"
printf 'owner=uploads-service\nid=%s\n' "$token" > "$v/.volume-info"
