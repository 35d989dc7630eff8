# Answer files: text the learner writes from what they found in the lab,
# read as hostile input (capped, carriage returns dropped).

# require_answer PATH SHOWN [EXPECTED [HINT]]: stops unless the learner
# wrote PATH.
require_answer() {
  [ -f "$1" ] || stop "$2 exists" "${3:-a file}" "no such file" "${4:-}"
  pass "$2 exists"
}

# answer PATH: the file's first 64 KiB.
answer() { head -c 65536 "$1" | tr -d '\r'; }

# answer_value PATH KEY [MAX]: the value of the first `KEY=...` line, white
# space and double quotes removed, at most MAX characters (128).
answer_value() {
  answer "$1" | sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" | head -n 1 |
    tr -d '[:space:]"' | head -c "${3:-128}"
}

# expect_line WHAT WANT GOT LINE [SHOWN]: GOT, read from the answer's line
# that starts with LINE, must be WANT (shown as SHOWN where the answer must
# stay hidden); an empty GOT means there is no such line. Returns 1 on
# failure.
expect_line() {
  if [ -z "$3" ]; then
    fail "$1" "a line $4" "no such line"
  elif [ "$3" != "$2" ]; then
    fail "$1" "${5:-$2}" "$3"
  else
    pass "$1 ($3)"
    return
  fi
  return 1
}

# expect_answer PATH KEY WANT WHAT: passes if KEY's value is WANT, else
# fails (the check goes on) and returns 1; the value read is left in $got
# for a hint.
expect_answer() {
  got=$(answer_value "$1" "$2")
  if [ "$got" = "$3" ]; then
    pass "$2: $4 ($3)"
  else
    fail "$2: $4" "$2=$3" "${got:-(missing)}"
    return 1
  fi
}
