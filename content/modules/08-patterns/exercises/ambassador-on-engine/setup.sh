# A real Redis (the "remote" cache), an app that talks Redis, and a TCP
# proxy to put next to it.
set -e
d="$HOME/ambassador-live"
rm -rf "$d"
mkdir -p "$d"
cat > "$d/proxy.py" <<'PY'
"""A TCP proxy: accepts on LISTEN (host:port), forwards every connection
to UPSTREAM (host:port), both ways, until either side closes."""
import asyncio, os


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def handle(client_r, client_w):
    host, port = os.environ["UPSTREAM"].rsplit(":", 1)
    try:
        up_r, up_w = await asyncio.open_connection(host, int(port))
    except OSError as e:
        print("upstream unreachable:", e, flush=True)
        client_w.close()
        return
    print("proxying a connection to", os.environ["UPSTREAM"], flush=True)
    await asyncio.gather(pipe(client_r, up_w), pipe(up_r, client_w), return_exceptions=True)


async def main():
    host, port = os.environ.get("LISTEN", "127.0.0.1:6379").rsplit(":", 1)
    server = await asyncio.start_server(handle, host, int(port))
    print("listening on", host, port, "for", os.environ["UPSTREAM"], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
PY
cat > "$d/compose.yaml" <<'YAML'
services:
  cache:
    image: redis:8

  app:
    image: redis:8
    environment:
      CACHE_HOST: cache.prod.example.net
      CACHE_PORT: "6379"
    # Counts its visits in the cache every two seconds and prints the count.
    command: ["sh", "-c", "while true; do echo visits: $$(redis-cli -h $$CACHE_HOST -p $$CACHE_PORT INCR visits 2>&1); sleep 2; done"]
YAML
