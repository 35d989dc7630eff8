# A production-like compose file that needs development settings.
set -e
d="$HOME/blog"
rm -rf "$d"
mkdir -p "$d/src"
cat > "$d/compose.yaml" <<'YAML'
services:
  web:
    image: registry.example.com/blog/web:${WEB_TAG:?set WEB_TAG in .env}
    ports:
      - "8000:8000"
    environment:
      LOG_LEVEL: ${LOG_LEVEL:-info}
      DATABASE_URL: postgres://blog:${DB_PASSWORD:?set DB_PASSWORD in .env}@db:5432/blog
    depends_on:
      db:
        condition: service_healthy

  db:
    image: postgres:17.2
    environment:
      POSTGRES_USER: blog
      POSTGRES_DB: blog
      POSTGRES_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD in .env}
    volumes:
      - db-data:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "blog"]
      interval: 5s
      retries: 10

volumes:
  db-data:
YAML
printf '# Copy to .env and fill in. Never commit the real .env.\nWEB_TAG=\nDB_PASSWORD=\nLOG_LEVEL=info\n' > "$d/.env.example"
printf '.env\n' > "$d/.gitignore"
cat > "$d/Dockerfile" <<'DOCKER'
FROM python:3.13-slim
WORKDIR /app
COPY src/ ./src/
USER 1000
EXPOSE 8000
CMD ["python", "-m", "src.blog"]
DOCKER
printf 'print("blog starting")\n' > "$d/src/blog.py"
