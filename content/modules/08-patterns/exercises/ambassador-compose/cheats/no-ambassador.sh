# The app pointed at the remote cache by name, with no ambassador.
sed -i 's/CACHE_ADDR: cache.prod.example.net:6379/CACHE_ADDR: cache:6379/' ~/ambassador/compose.yaml
