# Reporting, for checks: one line per assertion, the exit status decides
# (docs/authoring.md). `fail` remembers the failure; end with `verdict`.

# clean TEXT: one line without field separators, at most 160 characters.
clean() { printf '%s' "$1" | tr -d '|\r' | tr '\n' ' ' | cut -c1-160; }

pass() { echo "PASS: $1"; }

# fail WHAT EXPECTED ACTUAL
fail() {
  echo "FAIL: $1 | expected: $2 | actual: $(clean "${3:-nothing}")"
  failed=1
}

hint() { echo "HINT: $1"; }

# stop WHAT EXPECTED ACTUAL [HINT]: fails and ends the check at once.
stop() {
  fail "$1" "$2" "$3"
  [ -z "${4:-}" ] || hint "$4"
  exit 1
}

# expect_is WHAT WANT ACTUAL [HINT]: passes if ACTUAL is WANT, else fails
# (the check goes on), with HINT; returns 1 on failure.
expect_is() {
  [ "$3" = "$2" ] && pass "$1" && return
  fail "$1" "$2" "$3"
  [ -z "${4:-}" ] || hint "$4"
  return 1
}

verdict() { exit "${failed:-0}"; }

# require_file PATH SHOWN: stops unless the learner's file exists.
require_file() {
  [ -f "$1" ] || stop "$2 exists" "a file" "no such file" "reset the lab to get the starting files back"
  pass "$2 exists"
}
