mkdir -p "$HOME/swarm"
cat > "$HOME/swarm/stack.yaml" <<'YAML'
services:
  web:
    image: nginx:1.26
    ports:
      - "8080:80"
    networks:
      - front
    deploy:
      replicas: 3
      update_config:
        parallelism: 1
        delay: 10s
        failure_action: rollback
      restart_policy:
        condition: on-failure

networks:
  front:
    driver: overlay
YAML
