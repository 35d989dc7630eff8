cat > "$HOME/network-commands.sh" <<'EOC'
docker network create shopnet
docker run -d --name db --network shopnet -e POSTGRES_PASSWORD=change-me postgres:16
docker run -d --name api --network shopnet \
  -e DATABASE_HOST=db \
  -p 127.0.0.1:8080:8000 \
  shop/api:1.4
EOC
