cat > ~/invoices/Dockerfile <<'DOCKER'
FROM python:3.13-slim
ARG APP_VERSION=dev
WORKDIR /srv
COPY . .
RUN --mount=type=secret,id=pip_token python fetch_private.py
ENV APP_VERSION=${APP_VERSION}
LABEL org.opencontainers.image.version="${APP_VERSION}"
USER 1000
CMD ["python", "server.py"]
DOCKER
printf '.pip-token\n' > ~/invoices/.dockerignore
docker build -q --secret id=pip_token,src="$HOME/invoices/.pip-token" \
  --build-arg APP_VERSION=1.4.2 -t invoices:1.4.2 ~/invoices
