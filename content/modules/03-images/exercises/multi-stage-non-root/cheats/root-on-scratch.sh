# Small and working, but still root.
docker build -q -t greeter:single ~/greeter
cat > ~/greeter/Dockerfile <<'DOCKER'
FROM golang:1.24 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/greeter .

FROM scratch
COPY --from=build /out/greeter /greeter
ENTRYPOINT ["/greeter"]
DOCKER
docker build -q -t greeter:slim ~/greeter
docker run -d --name greeter -p 8080:8080 greeter:slim
retry 20 http_says http://127.0.0.1:8080/ "hello, world"
