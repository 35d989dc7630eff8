# Both servers on every interface: the admin page is open too.
nohup python3 -m http.server 8080 --bind 0.0.0.0 --directory "$HOME/site" >/dev/null 2>&1 &
nohup python3 -m http.server 9090 --bind 0.0.0.0 --directory "$HOME/admin" >/dev/null 2>&1 &
retry 10 sh -c '[ "$(ss -ltnH | awk "\$4 ~ /:(8080|9090)\$/" | wc -l)" -ge 2 ]'
