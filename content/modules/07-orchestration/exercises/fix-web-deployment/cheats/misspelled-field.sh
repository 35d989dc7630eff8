# A field the hand-written checks do not look at, misspelled: the API
# server would refuse the whole object.
sed -i -e 's/^  replicas: 1$/  replicas: 3/' -e 's/app: frontend/app: web/' \
  -e 's/^          image: nginx:1.27-alpine$/          image: nginx:1.27-alpine\n          imagePullPolicy: IfNotPresent\n          resources:\n            requests: {cpu: 100m, memory: 64Mi}\n            limits: {memory: 128Mi}\n          readinessProbe:\n            httpGet: {path: \/, port: http}\n          terminationGracePeriod: 30/' \
  ~/k8s/web-deployment.yaml
