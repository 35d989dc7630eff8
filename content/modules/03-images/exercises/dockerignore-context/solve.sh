printf '%s\n' .git .env drafts Dockerfile .dockerignore > ~/site/.dockerignore
docker build -q -t site:1 ~/site
