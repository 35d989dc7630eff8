# The note in a folder of the home, not in a named volume.
mkdir -p ~/notes && chmod 777 ~/notes
docker run --name writer -v "$HOME/notes":/data busybox:1.37 sh -c 'echo water the plants > /data/todo.txt'
docker rm writer
