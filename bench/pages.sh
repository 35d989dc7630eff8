#!/usr/bin/env bash
# Throughput of a server-rendered lesson page against a static file served
# by the same release server, measured side by side in one run with wrk.
#
#   bench/pages.sh [DURATION_SECONDS]      (needs Debian's `wrk`)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=64
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo xtask build >/dev/null 2>&1
cargo build --release --quiet --package berth-server --bin berth

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG=warn ./target/release/berth serve --listen "127.0.0.1:$port" \
  --database-url "sqlite://$work/berth.db" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.1; done

# A lesson of the bundled course with exercises beside it, so a signed-in
# learner's call carries the lab panel's and the exercises' state.
lesson="/modules/docker/container-lifecycle"
asset="/assets/berth.css"
# Both must answer 200 before measuring.
curl -fs -o /dev/null "$base$lesson" && curl -fs -o /dev/null "$base$asset"
# A learner of the bench's own, signed up as a browser would.
jar="$work/cookies"
curl -fs -o /dev/null -c "$jar" -H "Origin: $base" \
  --data-urlencode "email=bench@school.example" --data-urlencode "password=bench-password-$$" \
  "$base/auth/signup"
session=$(awk '$6 == "berth_session" {print $7}' "$jar")
[ -n "$session" ] || { echo "signing up the bench's learner failed" >&2; exit 1; }
signed_page=$(curl -fs -H "Cookie: berth_session=$session" "$base$lesson")
# The page is the one every signed-in learner gets: nothing of theirs in it.
! grep -q -e 'Start the lab' -e 'bench@school.example' <<<"$signed_page" ||
  { echo "the signed-in lesson page holds the learner's own parts" >&2; exit 1; }
# Those come from the call the page makes once hydrated.
call_fields="module=docker&lesson=container-lifecycle"
learner=$(curl -fs -H "Cookie: berth_session=$session" -H "Origin: $base" --data "$call_fields" "$base/api/lesson/learner")
grep -q '"exercises":\[{' <<<"$learner" && grep -q 'bench@school.example' <<<"$learner" ||
  { echo "the learner's call did not answer with the lab: $learner" >&2; exit 1; }
cat >"$work/call.lua" <<LUA
wrk.method = "POST"
wrk.body = "$call_fields"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA

measure() { # path [wrk options...] -> "rps p50 p99"
  local out path=$1
  shift
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" "$base$path")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
  [ -z "$errors" ] || { echo "errors while measuring $1: $errors" >&2; exit 1; }
  echo "$rps $p50 $p99"
}

read -r l_rps l_p50 l_p99 < <(measure "$lesson")
read -r a_rps a_p50 a_p99 < <(measure "$asset")
# A cookie other than the theme and the session bypasses the page cache:
# this is the cost of rendering with Leptos every time.
read -r r_rps r_p50 r_p99 < <(measure "$lesson" -H "Cookie: session=bench")
read -r s_rps s_p50 s_p99 < <(measure "$lesson" -H "Cookie: berth_session=$session")
read -r c_rps c_p50 c_p99 < <(measure /api/lesson/learner -s "$work/call.lua" \
  -H "Cookie: berth_session=$session" -H "Origin: $base")
size=$(curl -fs "$base$lesson" | wc -c)
signed_size=${#signed_page}

printf 'wrk, %s connections, %ss each, on %s cores\n' "$connections" "$duration" "$(nproc)"
printf '%-28s %12s %10s %10s\n' "target" "requests/s" "p50" "p99"
printf '%-28s %12.0f %10s %10s\n' "lesson page ($((size / 1024)) KiB)" "$l_rps" "$l_p50" "$l_p99"
printf '%-28s %12.0f %10s %10s\n' "static asset" "$a_rps" "$a_p50" "$a_p99"
printf '%-28s %12.0f %10s %10s\n' "lesson page, rendered each time" "$r_rps" "$r_p50" "$r_p99"
printf '%-28s %12.0f %10s %10s\n' "lesson page, signed in ($((signed_size / 1024)) KiB)" "$s_rps" "$s_p50" "$s_p99"
printf '%-28s %12.0f %10s %10s\n' "the learner's call (${#learner} B)" "$c_rps" "$c_p50" "$c_p99"
python3 - "$l_rps" "$a_rps" "$s_rps" "$c_rps" <<'PY'
import sys
lesson, asset, signed, call = map(float, sys.argv[1:5])
# A signed-in view is the page and the call, one after the other.
view = 1 / (1 / signed + 1 / call)
def goal(ok): return 'met' if ok else 'MISSED'
print(f"anonymous lesson/static: {lesson / asset:.2f}  (goals: lesson >= 5000 req/s: {goal(lesson >= 5000)}; ratio >= 0.3: {goal(lesson / asset >= 0.3)})")
print(f"signed-in lesson/static: {signed / asset:.2f}  (goal: ratio >= 0.3: {goal(signed / asset >= 0.3)})")
print(f"signed-in view (page + call): {view:.0f} views/s, {view / asset:.2f} of static")
PY
