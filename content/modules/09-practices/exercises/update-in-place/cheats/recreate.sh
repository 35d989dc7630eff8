# The settings are right, but on a new container.
docker rm -f edge
docker run -d --name edge --memory 128m --restart unless-stopped busybox:1.37 \
  sh -c 'mkdir -p /www && exec httpd -f -p 8080 -h /www'
