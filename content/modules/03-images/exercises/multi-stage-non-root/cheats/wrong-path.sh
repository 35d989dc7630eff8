# Two stages that build fine, but the final stage starts a path the binary
# was never copied to: the container cannot start.
docker build -q -t greeter:single ~/greeter
cat > ~/greeter/Dockerfile <<'DOCKER'
FROM golang:1.24 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/greeter .

FROM scratch
COPY --from=build /out/greeter /greeter
USER 65532:65532
ENTRYPOINT ["/app/greeter"]
DOCKER
docker build -q -t greeter:slim ~/greeter
docker run -d --name greeter -p 8080:8080 greeter:slim || true
