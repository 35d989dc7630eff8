# Looks inside every layer of site:1 for what must not be there, and at
# ~/site for what must still be there.
for f in .env drafts/spring-prices.html .git/config index.html; do
  [ -f "$LAB_HOME/site/$f" ] || stop "~/site/$f is still in the project" "the file, kept (only the image must not have it)" "it was deleted" "reset the lab to get it back"
done
pass "the project still has .env, .git and drafts"
require_image site:1
files=$(layer_files site:1 | grep '^usr/share/nginx/html/' | sed 's|^usr/share/nginx/html/||' | head -n 500)
for secret in .env .git/config drafts/spring-prices.html; do
  if printf '%s\n' "$files" | grep -qxF "$secret"; then
    fail "$secret is in no layer of site:1" "kept out by .dockerignore" "in a layer of the image"
    hint "a file deleted by a later RUN still sits in the layer that COPY made"
  else
    pass "$secret is in no layer of site:1"
  fi
done
for page in index.html about.html css/site.css; do
  if printf '%s\n' "$files" | grep -qxF "$page"; then
    pass "$page is in the image"
  else
    fail "$page is in the image" "the site's own files, copied" "missing"
  fi
done
verdict
