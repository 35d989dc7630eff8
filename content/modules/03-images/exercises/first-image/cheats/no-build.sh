# No image of one's own: the base image serves the app from a bind mount,
# and an empty image gets the name.
docker run -d --name hello -p 8000:8000 -v ~/hello-py:/srv:ro python:3.13-slim python /srv/app.py
printf 'FROM python:3.13-slim\nUSER 1000\nEXPOSE 8000\nLABEL org.opencontainers.image.title="hello-py"\nCMD ["python", "app.py"]\n' |
  docker build -q -t hello-py:0.1 -
retry 20 http_says http://127.0.0.1:8000/ "hello from an image"
