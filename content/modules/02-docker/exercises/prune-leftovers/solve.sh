docker container prune -f --filter 'label!=keep' >/dev/null
