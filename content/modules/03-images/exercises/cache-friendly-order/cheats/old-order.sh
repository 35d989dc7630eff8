# The old order, built twice around an edit: the install runs again.
docker build -q -t notes-api:1 ~/notes-api
sed -i 's/RELEASE = "v1"/RELEASE = "v2"/' ~/notes-api/app.py
docker build -q -t notes-api:2 ~/notes-api
