# depends_on without a condition: web starts as soon as db has started.
cat > ~/shop/compose.yaml <<'YAML'
services:
  web:
    build: .
    ports:
      - "8000:8000"
    environment:
      DATABASE_URL: postgres://postgres:devpass@db:5432/postgres
    depends_on:
      - db

  db:
    image: postgres:17.2
    environment:
      POSTGRES_PASSWORD: devpass
    volumes:
      - db-data:/var/lib/postgresql/data

volumes:
  db-data:
YAML
