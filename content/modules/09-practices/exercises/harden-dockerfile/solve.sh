cat > ~/hardening/Dockerfile <<'DOCKER'
FROM python:3.13-slim
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home app
WORKDIR /app
COPY invoice/ ./invoice/
# The key itself is mounted at run time, e.g. as a Compose or Swarm secret.
ENV API_KEY_FILE=/run/secrets/api-key
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["python", "-m", "invoice", "--port", "8000"]
DOCKER
docker build -q -t shop/invoice:2.4.0 ~/hardening
