# A probe image whose start command is written in the shell form.
set -e
d="$HOME/uptime-probe"
rm -rf "$d"
mkdir -p "$d"
cat > "$d/probe.sh" <<'SH'
#!/bin/sh
# Checks one URL every second and prints whether it answered; stops
# cleanly on SIGTERM.
url="${1:?usage: probe.sh URL}"
trap 'echo "probe stopped"; exit 0' TERM INT
echo "probing $url"
while true; do
  if wget -q -T 2 -O /dev/null "$url" 2>/dev/null; then
    echo "up   $url"
  else
    echo "DOWN $url"
  fi
  sleep 1 & wait $!
done
SH
cat > "$d/Dockerfile" <<'DOCKER'
FROM busybox:1.37
COPY --chmod=755 probe.sh /usr/local/bin/probe.sh
USER 65534
ENTRYPOINT /usr/local/bin/probe.sh
CMD https://example.com
DOCKER
