docker run -d --name registry -p 5000:5000 registry:2
retry 20 curl -fs -o /dev/null http://127.0.0.1:5000/v2/
docker build -q -t localhost:5000/motd:1.0 ~/motd
docker push -q localhost:5000/motd:1.0
digest=$(docker image inspect -f '{{index .RepoDigests 0}}' localhost:5000/motd:1.0)
docker rmi localhost:5000/motd:1.0
docker run --name motd-pinned "localhost:5000/motd@${digest#*@}"
