# Compares ~/stack.txt with the facts in the two saved outputs.
file="$LAB_HOME/stack.txt"
require_answer "$file" "~/stack.txt" "a file with client=, engine=, api=, containerd=, runc= and endpoint= lines"

expect() {
  expect_answer "$file" "$@" && return
  case "$1:$got" in
    client:27.5.1|engine:28.0.1) hint "the Client section is the docker program on the laptop; the Server section is the daemon" ;;
    api:1.48) hint "1.48 is what the client could speak; it downgraded to what this daemon supports" ;;
    endpoint:unix://*) hint "the starred context is in use, not the default one" ;;
  esac
}
expect client 28.0.1 "the client's version"
expect engine 27.5.1 "the engine's version"
expect api 1.47 "the negotiated API version"
expect containerd 1.7.25 "containerd's version"
expect runc 1.2.4 "runc's version"
expect endpoint ssh://deploy@build-01.example.net "the daemon's endpoint"
verdict
