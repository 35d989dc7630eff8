# The token no longer in ENV, but copied in and deleted a step later.
cat > ~/invoices/Dockerfile <<'DOCKER'
FROM python:3.13-slim
ARG APP_VERSION=dev
WORKDIR /srv
COPY . .
RUN PIP_TOKEN=$(cat .pip-token) python fetch_private.py
RUN rm .pip-token
LABEL org.opencontainers.image.version="${APP_VERSION}"
USER 1000
CMD ["python", "server.py"]
DOCKER
docker build -q --build-arg APP_VERSION=1.4.2 -t invoices:1.4.2 ~/invoices
