mkdir -p "$HOME/adapter"
cat > "$HOME/adapter/legacy.log" <<'LOG'
2025-03-14T09:12:01Z;I;service started on port 8080
2025-03-14T09:12:05Z;W;cache miss rate 41%
2025-03-14T09:13:44Z;E;payment gateway timed out after 30s
2025-03-14T09:14:02Z;I;user "ada" signed in
2025-03-14T09:15:30Z;D;pool size 8/16
2025-03-14T09:16:10Z;W;disk /var at 91% \ rotate soon
2025-03-14T09:17:00Z;I;nightly report queued
LOG
rm -f "$HOME/adapter/app.jsonl"
