docker rm -f site >/dev/null 2>&1 || true
mkdir -p "$HOME/site"
token=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
cat > "$HOME/site/index.html" <<EOT
<!doctype html>
<title>Plant shop</title>
<h1>Plant shop, page $token</h1>
<p>Served from a folder in your home, through a read-only bind mount.</p>
EOT
