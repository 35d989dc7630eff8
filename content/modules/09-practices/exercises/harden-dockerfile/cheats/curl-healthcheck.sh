# The textbook health check, with a tool the slim image does not have.
cat > ~/hardening/Dockerfile <<'DOCKER'
FROM python:3.13-slim
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home app
WORKDIR /app
COPY invoice/ ./invoice/
ENV API_KEY_FILE=/run/secrets/api-key
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=5s CMD curl -fsS http://127.0.0.1:8000/health || exit 1
CMD ["python", "-m", "invoice", "--port", "8000"]
DOCKER
docker build -q -t shop/invoice:2.4.0 ~/hardening
