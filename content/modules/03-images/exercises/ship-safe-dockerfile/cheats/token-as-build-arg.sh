# The token as a build argument: it is in the history.
cat > ~/invoices/Dockerfile <<'DOCKER'
FROM python:3.13-slim
ARG APP_VERSION=dev
ARG PIP_TOKEN
WORKDIR /srv
COPY server.py fetch_private.py ./
RUN python fetch_private.py
LABEL org.opencontainers.image.version="${APP_VERSION}"
USER 1000
CMD ["python", "server.py"]
DOCKER
docker build -q --build-arg PIP_TOKEN="$(cat ~/invoices/.pip-token)" \
  --build-arg APP_VERSION=1.4.2 -t invoices:1.4.2 ~/invoices
