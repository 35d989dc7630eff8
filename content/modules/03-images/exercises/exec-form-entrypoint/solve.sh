sed -i -e 's|^ENTRYPOINT .*|ENTRYPOINT ["/usr/local/bin/probe.sh"]|' \
  -e 's|^CMD .*|CMD ["https://example.com"]|' ~/uptime-probe/Dockerfile
docker build -q -t probe ~/uptime-probe
