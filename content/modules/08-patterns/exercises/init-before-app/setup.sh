mkdir -p "$HOME/init"
cat > "$HOME/init/pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: shop
  labels:
    app: shop
spec:
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

  migrate:
    image: ghcr.io/example/shop:2.4.0
    command: ["./manage", "migrate"]
    depends_on:
      - db

  app:
    image: ghcr.io/example/shop:2.4.0
    ports:
      - "8080:8000"
    depends_on:
      - db
      - migrate
YAML
