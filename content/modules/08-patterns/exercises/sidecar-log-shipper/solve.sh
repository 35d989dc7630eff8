mkdir -p "$HOME/sidecar"
cat > "$HOME/sidecar/pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  volumes:
    - name: logs
      emptyDir: {}
  containers:
    - name: app
      image: nginx:1.27-alpine
      ports:
        - containerPort: 80
      volumeMounts:
        - name: logs
          mountPath: /var/log/nginx
    - name: log-shipper
      image: busybox:1.36
      command: ["tail", "-F", "/logs/access.log"]
      volumeMounts:
        - name: logs
          mountPath: /logs
          readOnly: true
YAML
