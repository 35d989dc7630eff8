#!/bin/sh
# Manual smoke test against this machine's real engine (run as root):
# the guard must refuse --privileged and a host bind, and let `docker ps`,
# a plain run and an attach through. Leaves no containers behind.
set -eu
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/debug/berth-docker-guard
WORK=$(mktemp -d)
mkdir "$WORK/home" "$WORK/home/site"
# A temp dir is not nosuid,nodev here, hence the test-only flag; the guard
# pins bind sources with mounts, so it gets a mount namespace of its own.
unshare --mount --propagation private "$BIN" --listen "$WORK/docker.sock" --upstream /var/run/docker.sock \
    --home "$WORK/home" --insecure-skip-mount-check 2>"$WORK/guard.log" &
GUARD=$!
trap 'kill $GUARD; rm -rf "$WORK"' EXIT
sleep 0.5
export DOCKER_HOST=unix://$WORK/docker.sock
IMAGE=${IMAGE:-berth/lab-shell}

expect_refusal() {
    if out=$(docker "$@" 2>&1); then echo "FAIL (accepted): docker $*"; exit 1; fi
    echo "$out" | grep -q "this lab does not allow" || { echo "FAIL: $out"; exit 1; }
    echo "ok refused: docker $* -> $out"
}
expect_refusal run --rm --privileged "$IMAGE" true
expect_refusal run --rm -v /:/host "$IMAGE" true
expect_refusal run --rm --pid host "$IMAGE" true
expect_refusal volume create --opt type=none --opt o=bind --opt device=/ hostroot
docker ps >/dev/null && echo "ok: docker ps"
echo hi > "$WORK/home/site/f"
out=$(docker run --rm -v "$WORK/home/site:/site:ro" "$IMAGE" cat /site/f)
[ "$out" = hi ] && echo "ok: docker run with a home bind"
out=$(echo piped | docker run --rm -i "$IMAGE" cat)
[ "$out" = piped ] && echo "ok: docker run -i (attach upgrade)"
NAME=berth-guard-smoke-$$
docker run -d --rm --name "$NAME" "$IMAGE" sleep 60 >/dev/null
trap 'docker rm -f "$NAME" >/dev/null 2>&1; kill $GUARD; rm -rf "$WORK"' EXIT
out=$(echo piped | docker exec -i "$NAME" cat)
[ "$out" = piped ] && echo "ok: docker exec -i (exec start upgrade)"
expect_refusal exec --privileged "$NAME" true
out=$(script -qec "docker exec -it $NAME sh -c 'test -t 0 && echo tty'" /dev/null | tr -d '\r^@')
echo "$out" | grep -q 'tty$' && echo "ok: docker exec -it (tty)"
docker rm -f "$NAME" >/dev/null
# BuildKit (POST /session, /grpc over h2c) when the CLI has it.
if DOCKER_BUILDKIT=1 docker build -q -t berth-guard-smoke - >/dev/null 2>"$WORK/build.log" <<DOCKERFILE
FROM $IMAGE
RUN true
DOCKERFILE
then docker rmi -f berth-guard-smoke >/dev/null; echo "ok: DOCKER_BUILDKIT=1 docker build"
else echo "skipped: BuildKit build failed here:"; cat "$WORK/build.log"; fi
echo "--- guard log"; cat "$WORK/guard.log"
