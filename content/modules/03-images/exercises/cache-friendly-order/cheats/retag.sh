# The right order, but one build under two names: no code change made it in.
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
docker tag notes-api:1 notes-api:2
