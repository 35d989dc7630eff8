mkdir -p "$HOME/init"
cat > "$HOME/init/pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: shop
  labels:
    app: shop
spec:
  initContainers:
    - name: wait-for-db
      image: busybox:1.36
      command: ["sh", "-c", "until nc -z db 5432; do echo waiting for db; sleep 2; done"]
    - name: migrate
      image: ghcr.io/example/shop:2.4.0
      command: ["./manage", "migrate"]
      env:
        - name: DATABASE_URL
          value: postgres://shop@db:5432/shop
  containers:
    - name: app
      image: ghcr.io/example/shop:2.4.0
      env:
        - name: DATABASE_URL
          value: postgres://shop@db:5432/shop
YAML
cat > "$HOME/init/compose.yaml" <<'YAML'
services:
  db:
    image: postgres:16-alpine
    environment:
      POSTGRES_PASSWORD: example
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
      retries: 10

  migrate:
    image: ghcr.io/example/shop:2.4.0
    command: ["./manage", "migrate"]
    depends_on:
      db:
        condition: service_healthy

  app:
    image: ghcr.io/example/shop:2.4.0
    ports:
      - "8080:8000"
    depends_on:
      db:
        condition: service_healthy
      migrate:
        condition: service_completed_successfully
YAML
