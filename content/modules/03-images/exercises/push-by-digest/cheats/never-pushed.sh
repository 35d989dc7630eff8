# A registry, and a container from the local build, but nothing pushed.
docker run -d --name registry -p 5000:5000 registry:2
docker build -q -t localhost:5000/motd:1.0 ~/motd
docker run --name motd-pinned localhost:5000/motd:1.0
