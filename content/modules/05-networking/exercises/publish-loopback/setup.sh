# The admin page the panel container serves.
mkdir -p "$HOME/panel"
printf '<h1>Staff panel</h1>\n' > "$HOME/panel/index.html"
