cat > "$HOME/shop/compose.yaml" <<'YAML'
services:
  web:
    build: .
    ports:
      - "8000:8000"
    environment:
      DATABASE_URL: postgres://postgres:devpass@db:5432/postgres
    depends_on:
      db:
        condition: service_healthy

  db:
    image: postgres:17.2
    environment:
      POSTGRES_PASSWORD: devpass
    volumes:
      - db-data:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "postgres"]
      interval: 5s
      timeout: 3s
      retries: 10

volumes:
  db-data:
YAML
