# Two listeners: 8080 on every address, 9090 on loopback only.
ip=$(lab_address)
l8080=$(listeners 8080)
case " $l8080" in
  *" 0.0.0.0 "*|*" * "*|*" [::] "*)
    pass "something listens on port 8080 on all addresses ($l8080)"
    expect_page "http://$ip:8080/" "Welcome to the shop" "~/site" \
      "start the server with --directory ~/site (or from inside ~/site)" ;;
  " ") fail "something listens on port 8080" "a listener on 0.0.0.0:8080" "nothing on 8080" ;;
  *)
    fail "port 8080 listens on all addresses" "0.0.0.0" "$l8080"
    hint "--bind 0.0.0.0 makes the server accept connections on every interface" ;;
esac
l9090=$(listeners 9090)
if [ -z "$l9090" ]; then
  fail "something listens on port 9090" "a listener on 127.0.0.1:9090" "nothing on 9090"
elif [ "$l9090" != "127.0.0.1 " ]; then
  fail "port 9090 listens on loopback only" "127.0.0.1" "$l9090"
  hint "--bind 127.0.0.1 keeps the admin server private to the lab"
else
  pass "port 9090 listens on 127.0.0.1 only"
  expect_page "http://127.0.0.1:9090/" "Admin panel" "~/admin"
  expect_closed "$ip" 9090 "the lab's network address"
fi
verdict
