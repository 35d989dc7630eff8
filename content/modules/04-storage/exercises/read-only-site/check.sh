# The real container: its mounts and ports from the engine, and the page
# fetched over the published port.
set -f
require_container site
expect_is "site is running" running "$(inspect '{{.State.Status}}' site)" \
  "docker logs site tells you why it stopped; httpd needs -f to stay in the foreground"
mount=$(inspect '{{range .Mounts}}{{if eq .Destination "/www"}}{{.Type}} {{.Source}} {{.RW}}{{end}}{{end}}' site)
if [ -z "$mount" ]; then
  fail "something is mounted at /www" "~/site bind-mounted at /www" "no mount at /www"
else
  set -- $mount
  if [ "$1" = "bind" ] && [ "$2" = "/home/learner/site" ]; then
    pass "~/site is bind-mounted at /www"
  else
    fail "~/site is bind-mounted at /www" "bind /home/learner/site" "$1 $2"
    [ "$1" = "volume" ] && hint "a source without a leading / is a volume name; use the absolute path \"\$HOME/site\""
  fi
  expect_is "the mount is read-only (RW=false)" false "$3" "add :ro after the target (-v SRC:/www:ro) or readonly to --mount"
fi
port=$(inspect '{{range $p, $b := .HostConfig.PortBindings}}{{if eq $p "80/tcp"}}{{range $b}}{{.HostPort}} {{end}}{{end}}{{end}}' site)
case " $port" in
  *" 8081 "*) pass "container port 80 is published on host port 8081" ;;
  *)
    fail "container port 80 is published on host port 8081" "-p 8081:80" "${port:-not published}"
    hint "-p HOST:CONTAINER, so -p 8081:80" ;;
esac
want=$(head -c 65536 "$LAB_HOME/site/index.html" 2>/dev/null)
got=$(curl -fs --max-time 3 http://127.0.0.1:8081/ 2>/dev/null | head -c 65536)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
  pass "http://127.0.0.1:8081/ serves ~/site/index.html"
else
  fail "http://127.0.0.1:8081/ serves ~/site/index.html" "the page from ~/site" "$(printf '%s' "$got" | head -n 1 | cut -c1-80)"
  [ -z "$got" ] && hint "curl -v http://127.0.0.1:8081/ from the terminal; httpd must serve /www (-h /www) on port 80 (-p 80)"
fi
verdict
