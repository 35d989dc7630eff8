# Ignoring everything: nothing leaks, and nothing of the site ships either.
printf '*\n!Dockerfile\n' > ~/site/.dockerignore
docker build -q -t site:1 ~/site
