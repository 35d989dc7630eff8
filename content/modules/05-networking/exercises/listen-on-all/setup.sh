mkdir -p "$HOME/site" "$HOME/admin"
printf '<h1>Welcome to the shop</h1>\n' > "$HOME/site/index.html"
printf '<h1>Admin panel: staff only</h1>\n' > "$HOME/admin/index.html"
