# A guestbook whose compose file has four mistakes in it.
set -e
d="$HOME/guestbook"
rm -rf "$d"
mkdir -p "$d"
cat > "$d/compose.yaml" <<'YAML'
services:
  web:
    build: .
    ports:
      - "8080:5000"
    environment:
      DATABASE_URL: postgres://guestbook:guestbook@localhost:5432/guestbook
    networks:
      - frontend
    depends_on:
      - db

  db:
    image: postgres:17.2
     environment:
      POSTGRES_USER: guestbook
      POSTGRES_PASSWORD: guestbook
      POSTGRES_DB: guestbook
    volumes:
      - db-data:/var/lib/postgresql/data
    networks:
      - backend

networks:
  frontend:
  backend:
YAML
cat > "$d/Dockerfile" <<'DOCKER'
FROM python:3.13-slim
WORKDIR /srv
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
USER 1000
CMD ["python", "-m", "flask", "--app", "guestbook", "run", "--host", "0.0.0.0"]
DOCKER
printf 'flask==3.1.0\npsycopg[binary]==3.2.3\n' > "$d/requirements.txt"
