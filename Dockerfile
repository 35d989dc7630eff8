# A Berth image for compose.yaml. Needs a registry to pull the base images,
# which a school's server usually has (the development machines do not).
FROM rust:1.95-trixie AS build
RUN apt-get update && apt-get install -y --no-install-recommends npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo xtask build && cargo build --release --package berth-server --bin berth

FROM debian:trixie-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /srv/berth berth
COPY --from=build /src/target/release/berth /usr/local/bin/berth
COPY --from=build /src/target/site /srv/berth/site
COPY content /srv/berth/content
WORKDIR /srv/berth
USER berth
ENV BERTH_LISTEN=0.0.0.0:3000 BERTH_SITE_DIR=/srv/berth/site BERTH_CONTENT=/srv/berth/content
EXPOSE 3000
CMD ["berth", "serve"]
