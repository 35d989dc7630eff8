# The image this module's docker exercises use, made from the lab's busybox.
# The page the api container serves.
mkdir -p "$HOME/www"
printf 'hello from api\n' > "$HOME/www/index.html"
