mkdir -p "$HOME/bookshop"
cat > "$HOME/bookshop/services.yaml" <<'YAML'
# The bookshop's services. Add `state: stateful` or `state: stateless` to each.
services:
  web:
    description: Renders the shop's pages from the catalogue API's answers.
  catalogue-api:
    description: Answers book searches from the orders database, caching nothing.
  orders-db:
    description: PostgreSQL with every order and customer account.
  uploads:
    description: Keeps the cover images publishers upload, on disk.
  queue:
    description: Redis list of thumbnail jobs not yet done; lost jobs are lost covers.
  thumbnailer:
    description: Takes a job from the queue, reads a cover from uploads, writes the thumbnail back.
YAML
