cat > "$HOME/greeter/Dockerfile" <<'DOCKER'
FROM golang:1.25 AS build
WORKDIR /src
COPY go.mod ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/greeter .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/greeter /greeter
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/greeter"]
DOCKER
