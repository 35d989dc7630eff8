# A host name without a UTS namespace of its own would rename the host.
jq '.hostname = "web-1" | .linux.resources.pids = {"limit": 64}' ~/bundle/config.json > /tmp/config.json
mv /tmp/config.json ~/bundle/config.json
