# Waiting, for solutions and checks: services take a moment to start.

# retry SECONDS COMMAND...: runs COMMAND every half second until it
# succeeds or SECONDS have passed; the status is COMMAND's last.
retry() {
  _deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$_deadline" ] || return 1
    sleep 0.5
  done
}

# http_says URL TEXT: whether URL answers with a body containing TEXT.
http_says() { curl -fs -m 2 "$1" 2>/dev/null | head -c 65536 | grep -qF -- "$2"; }

# body URL: the first 2 KiB URL answers with (empty if nothing).
body() { curl -s -m 2 "$1" 2>/dev/null | head -c 2048; }
