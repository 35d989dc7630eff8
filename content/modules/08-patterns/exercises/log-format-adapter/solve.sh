cat > "$HOME/adapter/adapt.sh" <<'SH'
#!/bin/sh
# Adapter: legacy "time;L;message" lines in, JSON Lines out.
exec jq -R -c 'split(";") | {time: .[0], level: ({"I":"info","W":"warn","E":"error","D":"debug"}[.[1]]), msg: .[2]}'
SH
# The lab's home is mounted noexec: run scripts through sh.
sh "$HOME/adapter/adapt.sh" < "$HOME/adapter/legacy.log" > "$HOME/adapter/app.jsonl"
