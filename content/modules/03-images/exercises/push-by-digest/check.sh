# Asks the lab's registry what it holds for motd:1.0, and the engine what
# motd-pinned was started from.
require_running registry
accept='application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json'
digest=$(curl -fsI -m 3 -H "Accept: $accept" http://127.0.0.1:5000/v2/motd/manifests/1.0 2>/dev/null |
  tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p' | head -c 100)
if [ -n "$digest" ]; then
  pass "the registry on localhost:5000 has motd:1.0 ($(clean "$digest"))"
else
  stop "the registry on localhost:5000 has motd:1.0" "docker push localhost:5000/motd:1.0" "$(curl -s -m 3 http://127.0.0.1:5000/v2/motd/tags/list | head -c 200)"
fi
image=$(inspect '{{.Config.Image}}' motd-pinned)
[ -n "$image" ] || stop "a container named motd-pinned exists" "docker run --name motd-pinned localhost:5000/motd@sha256:..." "no such container"
case "$image" in
  "localhost:5000/motd@$digest") pass "motd-pinned was started from the digest of motd:1.0" ;;
  *@sha256:*) fail "motd-pinned was started from the digest of motd:1.0" "localhost:5000/motd@$digest" "$image" ;;
  *) fail "motd-pinned was started by digest, not by tag" "localhost:5000/motd@$digest" "$image"
     hint "a tag can be pointed at another image tomorrow; the digest cannot" ;;
esac
out=$(docker logs motd-pinned 2>&1 | head -c 300)
case "$out" in
  *"Deploys freeze"*) pass "motd-pinned printed the message" ;;
  *) fail "motd-pinned printed the message" "Deploys freeze at 16:00 on Fridays." "$out" ;;
esac
verdict
