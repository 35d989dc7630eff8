# Removing them in a later step: the COPY layer still has them.
printf 'FROM nginx:1.26\nCOPY . /usr/share/nginx/html/\nRUN cd /usr/share/nginx/html && rm -rf .env .git drafts\n' > ~/site/Dockerfile
docker build -q -t site:1 ~/site
