# Compares ~/stack.txt with the facts in the two saved outputs.
file="$LAB_HOME/stack.txt"
if [ ! -f "$file" ]; then
  echo "FAIL: ~/stack.txt exists | expected: a file with client=, engine=, api=, containerd=, runc= and endpoint= lines | actual: no such file"
  exit 1
fi
echo "PASS: ~/stack.txt exists"

value() {
  head -c 65536 "$file" | tr -d '\r' | sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" | head -n 1 | tr -d '[:space:]' | head -c 128
}

status=0
expect() {
  key=$1 want=$2 what=$3
  got=$(value "$key")
  if [ "$got" = "$want" ]; then
    echo "PASS: $key is $what ($want)"
  else
    echo "FAIL: $key is $what | expected: $key=$want | actual: ${got:-(missing)}"
    status=1
    case "$key:$got" in
      client:27.5.1|engine:28.0.1) echo "HINT: the Client section is the docker program on the laptop; the Server section is the daemon" ;;
      api:1.48) echo "HINT: 1.48 is what the client could speak; it downgraded to what this daemon supports" ;;
      endpoint:unix://*) echo "HINT: the starred context is in use, not the default one" ;;
    esac
  fi
}
expect client 28.0.1 "the client's version"
expect engine 27.5.1 "the engine's version"
expect api 1.47 "the negotiated API version"
expect containerd 1.7.25 "containerd's version"
expect runc 1.2.4 "runc's version"
expect endpoint ssh://deploy@build-01.example.net "the daemon's endpoint"
exit "$status"
