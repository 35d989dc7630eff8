# Everything but the USER line: the image runs as root.
cat > ~/hello-py/Dockerfile <<'DOCKER'
FROM python:3.13-slim
WORKDIR /srv
COPY app.py .
EXPOSE 8000
LABEL org.opencontainers.image.title="hello-py"
CMD ["python", "app.py"]
DOCKER
docker build -q -t hello-py:0.1 ~/hello-py
docker run -d --name hello -p 8000:8000 hello-py:0.1
retry 20 http_says http://127.0.0.1:8000/ "hello from an image"
