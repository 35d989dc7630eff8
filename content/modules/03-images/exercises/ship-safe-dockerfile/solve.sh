cat > "$HOME/invoices/Dockerfile" <<'DOCKER'
# syntax=docker/dockerfile:1
FROM node:22.12-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci --omit=dev
COPY . .
USER node
EXPOSE 3000
CMD ["node", "server.js"]
DOCKER
# Keep .npmrc out of the build context too, so COPY . . cannot pick it up.
printf '.git\nnode_modules\n.npmrc\n' > "$HOME/invoices/.dockerignore"
