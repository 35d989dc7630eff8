# A Service that selects by one label only, and no autoscaler.
cat > ~/k8s/api-service.yaml <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
    - port: 80
      targetPort: 8080
YAML
