# The volume is written, but the container was never removed.
docker run --name writer -v notes:/data busybox:1.37 sh -c 'echo water the plants > /data/todo.txt'
