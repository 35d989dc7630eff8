# A Python service whose Dockerfile defeats the build cache.
set -e
d="$HOME/notes-api"
rm -rf "$d"
mkdir -p "$d"
printf 'flask==3.1.0\ngunicorn==23.0.0\n' > "$d/requirements.txt"
cat > "$d/app.py" <<'PY'
from flask import Flask

app = Flask(__name__)
notes = []

@app.get("/notes")
def list_notes():
    return {"notes": notes}

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
PY
cat > "$d/Dockerfile" <<'DOCKER'
FROM python:3.13-slim
WORKDIR /srv
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 8000
HEALTHCHECK CMD curl -fsS http://localhost:8000/notes || exit 1
CMD ["python", "app.py"]
DOCKER
