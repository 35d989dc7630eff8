# The single-stage image under both names, run as a non-root user.
docker build -q -t greeter:single ~/greeter
docker tag greeter:single greeter:slim
docker run -d --name greeter -p 8080:8080 --user 65532 greeter:slim
retry 20 http_says http://127.0.0.1:8080/ "hello, world"
