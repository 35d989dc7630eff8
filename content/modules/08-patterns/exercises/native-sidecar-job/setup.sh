mkdir -p "$HOME/job"
cat > "$HOME/job/report-job.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata:
  name: nightly-report
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      volumes:
        - name: logs
          emptyDir: {}
      containers:
        - name: report
          image: ghcr.io/example/report:5.0.1
          args: ["--log-file", "/logs/report.log"]
          volumeMounts:
            - name: logs
              mountPath: /logs
        - name: log-shipper
          image: busybox:1.36
          command: ["tail", "-F", "/logs/report.log"]
          volumeMounts:
            - name: logs
              mountPath: /logs
              readOnly: true
YAML
