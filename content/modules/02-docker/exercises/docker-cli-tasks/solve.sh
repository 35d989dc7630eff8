cat > "$HOME/tasks.txt" <<'TXT'
run: docker run -d --name shop-web -p 8080:80 -e APP_ENV=staging --rm nginx:1.27-alpine
shell: docker exec -it shop-web sh
logs: docker logs -f shop-web
all: docker ps -a
TXT
