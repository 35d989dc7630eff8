# The default URL baked into the ENTRYPOINT: docker run cannot change it.
sed -i -e 's|^ENTRYPOINT .*|ENTRYPOINT ["/usr/local/bin/probe.sh", "https://example.com"]|' \
  -e '/^CMD /d' ~/uptime-probe/Dockerfile
docker build -q -t probe ~/uptime-probe
