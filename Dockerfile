# Switchyard in a container, built from Debian 12's packages only.
#   docker build -t switchyard .
#   docker run --rm -p 7080:7080 switchyard
FROM debian:12 AS build
WORKDIR /src
COPY deploy/install-deps.sh deploy/install-deps.sh
# Debian packages, and libsrtp with OpenSSL built from Debian's source package into build/deps.
RUN deploy/install-deps.sh
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSWITCHYARD_BUILD_TESTS=OFF \
 && cmake --build /build --target switchyard

FROM debian:12-slim
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends libssl3 libusrsctp2 libspdlog1.10 libfmt9 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/server/switchyard /usr/local/bin/switchyard
# Listen on all interfaces inside the container; publish the port with -p.
ENV SWITCHYARD_HTTP_LISTEN_ADDRESS=0.0.0.0
EXPOSE 7080/tcp
USER nobody
ENTRYPOINT ["/usr/local/bin/switchyard"]
