# A stack file with the services but none of the deploy settings.
mkdir -p ~/swarm
cat > ~/swarm/stack.yaml <<'YAML'
services:
  web:
    image: nginx:1.26
    ports:
      - "8080:80"
YAML
