# Switchyard in a container, built from Debian 12's packages only (libsrtp from Debian's source
# package with its OpenSSL backend, by deploy/install-deps.sh).
#   docker build -t switchyard .
#   docker run --rm -e SWITCHYARD_RTC_ANNOUNCED_ADDRESSES=<host IP clients reach> \
#     -e SWITCHYARD_WORKERS_COUNT=2 -p 7080:7080 -p 40000-40001:40000-40001/udp \
#     -p 40000-40001:40000-40001/tcp switchyard
# Worker i uses UDP and TCP port 40000 + i (rtc.udp_port, rtc.tcp_port): publish one per worker.
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
# Listen on all interfaces inside the container; publish the ports with -p. The media candidates
# need the address clients reach: the server refuses to start until SWITCHYARD_RTC_ANNOUNCED_ADDRESSES
# is set.
ENV SWITCHYARD_HTTP_LISTEN_ADDRESS=0.0.0.0 \
    SWITCHYARD_RTC_LISTEN_ADDRESSES=0.0.0.0
EXPOSE 7080/tcp 40000-40001/udp 40000-40001/tcp
USER nobody
ENTRYPOINT ["/usr/local/bin/switchyard"]
