c="$HOME/charts/api"
mkdir -p "$c/templates"
cat > "$c/values.yaml" <<'YAML'
# Default values for the api chart.
replicaCount: 2
image:
  repository: ghcr.io/example/api
  tag: "1.8.0"
YAML
sed -i \
  -e 's|^  replicas: .*|  replicas: {{ .Values.replicaCount }}|' \
  -e 's|^          image: .*|          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"|' \
  "$c/templates/deployment.yaml"
cat > "$HOME/charts/prod-values.yaml" <<'YAML'
replicaCount: 5
YAML
