#!/usr/bin/env bash
# Installs what is missing, builds Switchyard (Release) and runs the server on its embedded
# default config (single node, no external service). Extra arguments go to the server, e.g.
#   deploy/run-server.sh --config my.json --log-format json
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DSWITCHYARD_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target switchyard
exec build/release/server/switchyard "$@"
