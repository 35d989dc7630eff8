# The page mounted over nginx's web root instead of changed inside.
mkdir -p ~/page && echo "Shopfront opens at nine" > ~/page/index.html
docker run -d --name shopfront -p 8080:80 -v ~/page:/usr/share/nginx/html:ro nginx:1.26
retry 20 http_says http://127.0.0.1:8080/ "Shopfront opens at nine"
