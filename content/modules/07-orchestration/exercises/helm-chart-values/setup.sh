mkdir -p "$HOME/charts/api/templates"
cat > "$HOME/charts/api/Chart.yaml" <<'YAML'
apiVersion: v2
name: api
description: The example API
type: application
version: 0.1.0
appVersion: "1.8.0"
YAML
cat > "$HOME/charts/api/values.yaml" <<'YAML'
# Default values for the api chart.
YAML
cat > "$HOME/charts/api/templates/deployment.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {{ .Release.Name }}-api
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}-api
    spec:
      containers:
        - name: api
          image: ghcr.io/example/api:1.8.0
          ports:
            - name: http
              containerPort: 8080
YAML
rm -f "$HOME/charts/prod-values.yaml"
