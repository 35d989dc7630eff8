# Looks for the token everywhere an image keeps things: its configuration,
# its history and the bytes of every layer. Then reads the version label
# and the base image the Dockerfile names.
token=tok_live_5f2a9c81e4d07b36
require_image invoices:1.4.2
version=$(inspect '{{index .Config.Labels "org.opencontainers.image.version"}}' invoices:1.4.2)
if [ "$version" = 1.4.2 ]; then
  pass "the label org.opencontainers.image.version is 1.4.2"
else
  fail "the label org.opencontainers.image.version is 1.4.2" "--build-arg APP_VERSION=1.4.2 feeding the LABEL" "${version:-no such label}"
fi
if docker image inspect invoices:1.4.2 2>/dev/null | grep -qF "$token"; then
  fail "the token is not in the image's configuration" "no ENV holding it" "docker image inspect shows it"
else
  pass "the token is not in the image's configuration"
fi
if docker history --no-trunc invoices:1.4.2 2>/dev/null | grep -qF "$token"; then
  fail "the token is not in the image's history" "no ARG or --build-arg holding it" "docker history shows it"
else
  pass "the token is not in the image's history"
fi
if docker save invoices:1.4.2 2>/dev/null | grep -aqF "$token"; then
  fail "the token is in no layer" "a build secret, and .pip-token in .dockerignore" "a layer holds it"
  hint "a file removed by a later step is still in the layer that copied it"
else
  pass "the token is in no layer"
fi
out=$(in_image invoices:1.4.2 python -c 'import invoicing; print("private package", invoicing.total([1]))')
case "$out" in
  "private package 1"*) pass "the private package was fetched during the build" ;;
  *) fail "the private package was fetched during the build" "invoicing.py in the image" "$out" ;;
esac
expect_pinned_from "$LAB_HOME/invoices/Dockerfile" "~/invoices/Dockerfile" python
verdict
