# proxy moved to the back-end network: it reaches stock, and loses the front.
docker network disconnect edge proxy
docker network connect backend proxy
