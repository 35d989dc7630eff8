# The image this module's docker exercises use, made from the lab's busybox.
# The project folder, with the page the web service serves (no compose.yaml yet).
mkdir -p "$HOME/pair/www"
printf 'pair: web is up\n' > "$HOME/pair/www/index.html"
