docker build -q -t greeter:single ~/greeter
cat > ~/greeter/Dockerfile <<'DOCKER'
FROM golang:1.24 AS build
WORKDIR /src
COPY go.mod ./
COPY . .
RUN CGO_ENABLED=0 go build -o /out/greeter .

FROM scratch
COPY --from=build /out/greeter /greeter
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/greeter"]
DOCKER
docker build -q -t greeter:slim ~/greeter
docker run -d --name greeter -p 8080:8080 greeter:slim
retry 20 http_says http://127.0.0.1:8080/ "hello, world"
