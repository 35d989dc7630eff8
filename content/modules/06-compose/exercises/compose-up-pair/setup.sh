# The image this module's docker exercises use, made from the lab's busybox.
docker image inspect mini >/dev/null 2>&1 || tar -C /usr/bin -cf - busybox | docker import -c 'ENTRYPOINT ["/busybox"]' - mini >/dev/null
# The project folder, with the page the web service serves (no compose.yaml yet).
mkdir -p "$HOME/pair/www"
printf 'pair: web is up\n' > "$HOME/pair/www/index.html"
