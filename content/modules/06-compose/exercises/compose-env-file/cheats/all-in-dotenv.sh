# Both settings in .env: Compose reads it, the container never sees APP_MODE.
printf 'APP_MODE=staging\nRELEASE=2.1\n' > ~/notes/.env
: > ~/notes/app.env
cd ~/notes && docker compose up -d --quiet-pull
