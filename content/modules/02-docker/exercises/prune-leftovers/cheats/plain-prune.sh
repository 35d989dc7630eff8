# Prune without a filter: the report goes too.
docker container prune -f
