# The key moved from ENV to a build argument: still in the history.
cat > ~/hardening/Dockerfile <<'DOCKER'
FROM python:3.13-slim
ARG API_KEY=inv_live_4f9c2d7e1b8a6035e2
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home app \
 && echo "$API_KEY" > /dev/null
WORKDIR /app
COPY invoice/ ./invoice/
ENV API_KEY_FILE=/run/secrets/api-key
USER 10001:10001
HEALTHCHECK --interval=5s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["python", "-m", "invoice", "--port", "8000"]
DOCKER
docker build -q -t shop/invoice:2.4.0 ~/hardening
