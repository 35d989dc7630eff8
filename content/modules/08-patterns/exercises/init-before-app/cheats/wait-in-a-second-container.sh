# The wait put in a second ordinary container: it runs beside the app, not before it.
cat > ~/init/pod.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: shop
  labels:
    app: shop
spec:
  containers:
    - name: wait-for-db
      image: busybox:1.36
      command: ["sh", "-c", "until nc -z db 5432; do sleep 2; done"]
    - name: app
      image: ghcr.io/example/shop:2.4.0
YAML
