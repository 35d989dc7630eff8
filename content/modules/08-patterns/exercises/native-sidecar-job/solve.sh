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
      initContainers:
        - name: log-shipper
          image: busybox:1.36
          restartPolicy: Always
          command: ["tail", "-F", "/logs/report.log"]
          volumeMounts:
            - name: logs
              mountPath: /logs
              readOnly: true
          resources:
            requests:
              cpu: 20m
              memory: 16Mi
            limits:
              cpu: 100m
              memory: 32Mi
      containers:
        - name: report
          image: ghcr.io/example/report:5.0.1
          args: ["--log-file", "/logs/report.log"]
          volumeMounts:
            - name: logs
              mountPath: /logs
          resources:
            requests:
              cpu: 500m
              memory: 256Mi
            limits:
              memory: 512Mi
YAML
