jq '.hostname = "web-1"
    | .linux.namespaces += [{"type": "uts"}]
    | .linux.resources.pids = {"limit": 64}' "$HOME/bundle/config.json" > /tmp/config.json
mv /tmp/config.json "$HOME/bundle/config.json"
