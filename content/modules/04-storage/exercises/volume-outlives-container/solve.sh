docker run --name writer -v notes:/data mini sh -c 'echo water the plants > /data/todo.txt'
docker rm writer >/dev/null
