# A small Node.js project with things that must not reach the build context.
set -e
d="$HOME/webshop"
rm -rf "$d"
mkdir -p "$d/.git/refs/heads" "$d/node_modules/left-pad" "$d/public"
printf 'ref: refs/heads/main\n' > "$d/.git/HEAD"
printf '[core]\n\trepositoryformatversion = 0\n' > "$d/.git/config"
printf '3f2c1ab9d0e4\n' > "$d/.git/refs/heads/main"
printf 'module.exports = (s, n, c) => String(c || " ").repeat(Math.max(0, n - String(s).length)) + s;\n' > "$d/node_modules/left-pad/index.js"
printf '{ "name": "left-pad", "version": "1.3.0" }\n' > "$d/node_modules/left-pad/package.json"
printf 'STRIPE_KEY=sk_test_not_a_real_key_000000\nDATABASE_URL=postgres://shop:hunter2@localhost/shop\n' > "$d/.env"
cat > "$d/package.json" <<'JSON'
{
  "name": "webshop",
  "version": "1.0.0",
  "main": "server.js",
  "scripts": { "start": "node server.js" },
  "dependencies": { "left-pad": "1.3.0" }
}
JSON
printf '{ "name": "webshop", "lockfileVersion": 3, "packages": {} }\n' > "$d/package-lock.json"
cat > "$d/server.js" <<'JS'
const http = require("node:http");
const port = Number(process.env.PORT || 3000);
http.createServer((req, res) => res.end("webshop is open\n")).listen(port);
JS
printf '<h1>Webshop</h1>\n' > "$d/public/index.html"
cat > "$d/Dockerfile" <<'DOCKER'
FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
USER node
CMD ["node", "server.js"]
DOCKER
