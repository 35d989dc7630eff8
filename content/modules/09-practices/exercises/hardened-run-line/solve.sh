cat > "$HOME/run-hardened.sh" <<'EOC'
docker run -d --name invoice \
  --user 10001:10001 \
  --cap-drop ALL \
  --security-opt no-new-privileges \
  --read-only --tmpfs /tmp:size=32m \
  --memory 256m --cpus 0.5 --pids-limit 100 \
  -v "$(pwd)/secrets/api-key.txt":/run/secrets/api-key:ro \
  -e API_KEY_FILE=/run/secrets/api-key \
  -p 127.0.0.1:8080:8080 \
  shop/invoice:2.3.1
EOC
