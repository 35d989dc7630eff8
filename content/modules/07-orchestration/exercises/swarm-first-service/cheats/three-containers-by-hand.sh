# Three containers started by hand: no service keeps them at three.
for i in 1 2 3; do docker run -d --name "web-$i" busybox httpd -f -p 80 -h /; done
