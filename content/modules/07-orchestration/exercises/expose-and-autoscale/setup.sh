mkdir -p "$HOME/k8s"
cat > "$HOME/k8s/api-deployment.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels:
    app: api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
      tier: backend
  template:
    metadata:
      labels:
        app: api
        tier: backend
        release: "1.8"
    spec:
      containers:
        - name: api
          image: ghcr.io/example/api:1.8.0
          ports:
            - name: http
              containerPort: 8080
          resources:
            requests:
              cpu: 200m
              memory: 128Mi
            limits:
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /ready
              port: http
YAML
rm -f "$HOME/k8s/api-service.yaml" "$HOME/k8s/api-hpa.yaml"
