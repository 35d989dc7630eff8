docker run -d --name shopfront -p 8080:80 nginx:1.26 >/dev/null
docker exec shopfront sh -c 'echo "Shopfront opens at nine" > /usr/share/nginx/html/index.html'
i=0
until curl -fs -m 2 http://127.0.0.1:8080/ | grep -q 'Shopfront opens at nine' || [ "$i" -ge 20 ]; do
  i=$((i + 1)); sleep 0.5
done
