# Arrays in single quotes look right and are not JSON: still the shell form.
sed -i -e "s|^ENTRYPOINT .*|ENTRYPOINT ['/usr/local/bin/probe.sh']|" \
  -e "s|^CMD .*|CMD ['https://example.com']|" ~/uptime-probe/Dockerfile
docker build -q -t probe ~/uptime-probe
