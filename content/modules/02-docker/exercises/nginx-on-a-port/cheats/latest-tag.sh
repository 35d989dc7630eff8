# Everything right, on an unpinned image.
docker run -d --name shopfront -p 8080:80 nginx
docker exec shopfront sh -c 'echo "Shopfront opens at nine" > /usr/share/nginx/html/index.html'
retry 20 http_says http://127.0.0.1:8080/ "Shopfront opens at nine"
