# A values file, but the templates still hard-code everything.
cat > ~/charts/api/values.yaml <<'YAML'
replicaCount: 2
image:
  repository: ghcr.io/example/api
  tag: "1.8.0"
YAML
