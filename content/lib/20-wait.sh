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

# The lab's network, read by checks.

# lab_address: the lab's own IPv4 address (not docker0 or another bridge of
# the lab's engine), without its prefix length.
lab_address() {
  ip -o -4 addr show scope global | awk '$2 != "docker0" && $2 !~ /^br-/ { split($4, a, "/"); print a[1]; exit }'
}

# listeners PORT: the local addresses (without the port) of the TCP sockets
# listening on PORT, on one line, each followed by a space.
listeners() {
  ss -ltnH 2>/dev/null |
    awk -v p="$1" '{ n = split($4, a, ":"); if (a[n] == p) print substr($4, 1, length($4) - length(p) - 1) }' |
    tr '\n' ' '
}

# expect_page URL TEXT WHAT [HINT]: passes if URL answers with a page
# containing TEXT (WHAT names the page).
expect_page() {
  _page=$(curl -s -m 3 "$1" 2>/dev/null | head -c 4096)
  case "$_page" in
    *"$2"*) pass "$1 serves $3" ;;
    *) fail "$1 serves $3" "the page from $3" "$(printf '%s' "$_page" | head -c 80)"
       [ -z "${4:-}" ] || hint "$4" ;;
  esac
}

# expect_closed ADDRESS PORT WHAT: passes if nothing answers on ADDRESS:PORT.
expect_closed() {
  if curl -s -m 2 -o /dev/null "http://$1:$2/"; then
    fail "port $2 stays closed on $3" "connection refused on $1:$2" "it answered"
  else
    pass "port $2 is closed on $3 ($1)"
  fi
}
