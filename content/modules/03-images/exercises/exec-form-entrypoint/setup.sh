# A probe image whose start command is written in the shell form.
set -e
d="$HOME/uptime-probe"
rm -rf "$d"
mkdir -p "$d"
cat > "$d/probe.sh" <<'SH'
#!/bin/sh
# Checks one URL every few seconds and prints whether it answered.
url="${1:?usage: probe.sh URL}"
trap 'echo "probe stopped"; exit 0' TERM INT
while true; do
  if curl -fsS -o /dev/null --max-time 5 "$url"; then
    echo "$(date -u +%H:%M:%S) up   $url"
  else
    echo "$(date -u +%H:%M:%S) DOWN $url"
  fi
  sleep "${PROBE_INTERVAL:-5}"
done
SH
cat > "$d/Dockerfile" <<'DOCKER'
FROM alpine:3.22
RUN apk add --no-cache curl
COPY --chmod=755 probe.sh /usr/local/bin/probe.sh
USER 65534
ENTRYPOINT /usr/local/bin/probe.sh
CMD https://example.com
DOCKER
