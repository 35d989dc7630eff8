cat > "$HOME/guestbook/compose.yaml" <<'YAML'
services:
  web:
    build: .
    ports:
      - "8080:5000"
    environment:
      DATABASE_URL: postgres://guestbook:guestbook@db:5432/guestbook
    networks:
      - frontend
      - backend
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

volumes:
  db-data:
YAML
