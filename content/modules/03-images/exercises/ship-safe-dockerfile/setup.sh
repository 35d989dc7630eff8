# A Node.js service whose Dockerfile floats on :latest and bakes a token in.
set -e
d="$HOME/invoices"
rm -rf "$d"
mkdir -p "$d"
tok="npm_FAKE7d1c0ffee0example0token0do0not0use"
printf '//registry.npmjs.org/:_authToken=%s\n@acme:registry=https://registry.npmjs.org/\n' "$tok" > "$d/.npmrc"
cat > "$d/package.json" <<'JSON'
{
  "name": "invoices",
  "version": "1.0.0",
  "main": "server.js",
  "dependencies": { "@acme/pdf": "^2.3.0" }
}
JSON
printf '{ "name": "invoices", "lockfileVersion": 3, "packages": {} }\n' > "$d/package-lock.json"
printf 'require("node:http").createServer((q, r) => r.end("invoices\\n")).listen(3000);\n' > "$d/server.js"
printf '.git\nnode_modules\n' > "$d/.dockerignore"
cat > "$d/Dockerfile" <<DOCKER
FROM node:latest
WORKDIR /app
ENV NPM_TOKEN=$tok
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev
COPY . .
USER node
EXPOSE 3000
CMD ["node", "server.js"]
DOCKER
