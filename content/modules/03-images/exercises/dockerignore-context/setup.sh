# A static site with things that must never reach an image.
set -e
d="$HOME/site"
rm -rf "$d"
mkdir -p "$d/.git/refs/heads" "$d/css" "$d/drafts"
printf 'ref: refs/heads/main\n' > "$d/.git/HEAD"
printf '[remote "origin"]\n\turl = https://deploy:glpat-not-a-real-token@git.example.com/shop/site.git\n' > "$d/.git/config"
printf '3f2c1ab9d0e4\n' > "$d/.git/refs/heads/main"
printf 'SMTP_PASSWORD=not-a-real-password-7731\n' > "$d/.env"
printf '<h1>Opening soon</h1>\n<p>Draft: the spring prices.</p>\n' > "$d/drafts/spring-prices.html"
printf '<!doctype html>\n<link rel="stylesheet" href="css/site.css">\n<h1>The corner shop</h1>\n<p>Open from nine.</p>\n' > "$d/index.html"
printf '<!doctype html>\n<h1>About us</h1>\n' > "$d/about.html"
printf 'body { font-family: sans-serif; }\n' > "$d/css/site.css"
printf 'FROM nginx:1.26\nCOPY . /usr/share/nginx/html/\n' > "$d/Dockerfile"
