# The image this module's docker exercises use, made from the lab's busybox.
docker image inspect mini >/dev/null 2>&1 || tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - mini >/dev/null
# The page the api container serves.
mkdir -p "$HOME/www"
printf 'hello from api\n' > "$HOME/www/index.html"
