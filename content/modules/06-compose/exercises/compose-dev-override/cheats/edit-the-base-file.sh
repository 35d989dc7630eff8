# The development settings written into compose.yaml itself, no override.
printf 'WEB_TAG=dev\nDB_PASSWORD=devpass\n' > ~/blog/.env
sed -i 's|^\(\s*\)image: registry.example.com/blog/web:.*|\1build: .|' ~/blog/compose.yaml
