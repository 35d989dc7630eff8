cat > "$HOME/notes-api/Dockerfile" <<'DOCKER'
FROM python:3.13-slim
WORKDIR /srv
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 8000
HEALTHCHECK CMD curl -fsS http://localhost:8000/notes || exit 1
CMD ["python", "app.py"]
DOCKER
