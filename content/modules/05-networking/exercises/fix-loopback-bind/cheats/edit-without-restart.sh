# The setting changed, the running server never restarted.
sed -i 's/^HOST=.*/HOST=0.0.0.0/' ~/orders/orders.env
