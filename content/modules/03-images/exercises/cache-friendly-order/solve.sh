cat > ~/notes-api/Dockerfile <<'DOCKER'
FROM python:3.13-slim
WORKDIR /srv
COPY requirements.txt ./
COPY wheels/ wheels/
RUN pip install --no-cache-dir --no-index --find-links=wheels -r requirements.txt
COPY . .
CMD ["python", "app.py"]
DOCKER
docker build -q -t notes-api:1 ~/notes-api
sed -i 's/RELEASE = "v1"/RELEASE = "v2"/' ~/notes-api/app.py
docker build -q -t notes-api:2 ~/notes-api
