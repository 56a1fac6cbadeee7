#!/usr/bin/env bash
# Installs what Switchyard needs from Debian 12's packages, and builds libsrtp with its OpenSSL
# crypto backend from Debian's own source package into build/deps/libsrtp (static). Idempotent:
# when everything is present it changes nothing and asks no registry.
# Usage: deploy/install-deps.sh [--test] [--bench]
#   (no flag)  build and run: compiler, CMake, Ninja and the libraries
#   --test     also the test tools: Catch2, clang + its sanitizer/libFuzzer runtime, clang-format,
#              and for the browser tests (tests/e2e): chromium, firefox-esr, node + npm (only when no
#              node >= 18 is on PATH) and tests/e2e/node_modules (npm ci: playwright-core and
#              puppeteer-core, which download no browser)
#   --bench    also what the full benchmark (switchyard-bench) needs: janus (the reference SFU it
#              runs side by side, videoroom plugin + WebSocket transport), iproute2 (`ip netns`, the
#              namespace Janus runs in) and gnuplot-nox (plots). Installing Debian's janus package
#              also enables and starts its systemd service; this script stops and disables it, since
#              the bench starts its own Janus with its own configuration (and never on the host's
#              addresses).
#
# Why libsrtp from source: Debian's binary libsrtp2 uses NSS for AES and is ~4x slower on the
# AES-CM-HMAC-SHA1-80 profile Chromium negotiates (bench/RESULTS.md). Debian's libsrtp2-dev stays
# installed only so the benchmark can compare both.
set -euo pipefail

build_packages=(g++ make cmake ninja-build pkg-config dpkg-dev libboost-dev libssl-dev libsrtp2-dev
                libusrsctp-dev libspdlog-dev nlohmann-json3-dev)
test_packages=(catch2 clang clang-format libclang-rt-14-dev)

# Debian's nodejs only when no usable node is installed already (e.g. a newer one from elsewhere).
node_ok() {
  command -v node >/dev/null 2>&1 &&
    [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge 18 ] &&
    command -v npm >/dev/null 2>&1
}
e2e_packages=(chromium firefox-esr nftables)
node_ok || e2e_packages+=(nodejs npm)
bench_packages=(janus iproute2 gnuplot-nox)

with_tests=0
with_bench=0
packages=("${build_packages[@]}")
for arg in "$@"; do
  case "$arg" in
    --test) [ "$with_tests" -eq 1 ] || packages+=("${test_packages[@]}" "${e2e_packages[@]}"); with_tests=1 ;;
    --bench) [ "$with_bench" -eq 1 ] || packages+=("${bench_packages[@]}"); with_bench=1 ;;
    *) echo "install-deps.sh: unknown argument '$arg' (use --test, --bench or nothing)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

sudo=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo=(sudo); fi
need_root() {
  if [ "$(id -u)" -ne 0 ] && [ ${#sudo[@]} -eq 0 ]; then
    echo "install-deps: $1; run as root or install sudo" >&2; exit 1
  fi
}
export DEBIAN_FRONTEND=noninteractive

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  need_root "missing ${missing[*]}"
  echo "install-deps: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

root=$(cd "$(dirname "$0")/.." && pwd)

# Debian's janus package starts a system-wide Janus (janus.service) on install; the bench runs its
# own, so keep the packaged service stopped and disabled (only when systemd runs; a container has none).
if [ "$with_bench" -eq 1 ] && [ -d /run/systemd/system ] && systemctl list-unit-files janus.service >/dev/null 2>&1; then
  if systemctl is-enabled --quiet janus.service 2>/dev/null || systemctl is-active --quiet janus.service 2>/dev/null; then
    need_root "janus.service is enabled"
    echo "install-deps: stopping and disabling the packaged janus.service (the bench starts its own)"
    "${sudo[@]}" systemctl disable --now janus.service >/dev/null 2>&1 || true
  fi
fi

# Node modules of the browser tests, from the committed package-lock.json (npm registry only; no
# package of it downloads a browser), when missing or older than the lock file.
if [ "$with_tests" -eq 1 ]; then
  e2e="$root/tests/e2e"
  if [ ! -d "$e2e/node_modules" ] || [ "$e2e/package-lock.json" -nt "$e2e/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci in tests/e2e"
    (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
  else
    echo "install-deps: tests/e2e/node_modules up to date"
  fi
fi

# libsrtp with OpenSSL, from Debian's source package, into the build tree.
srtp_prefix="$root/build/deps/libsrtp"
if [ -f "$srtp_prefix/lib/libsrtp2.a" ] && [ -f "$srtp_prefix/.openssl" ]; then
  echo "install-deps: libsrtp (OpenSSL backend) present in build/deps/libsrtp"
  exit 0
fi
work="$root/build/deps/libsrtp-src"
rm -rf "$work" "$srtp_prefix"
mkdir -p "$work"
cd "$work"
if ! apt-get source --print-uris -q libsrtp2 2>/dev/null | grep -q "libsrtp2_.*\.dsc"; then
  need_root "apt has no deb-src entry for libsrtp2"
  echo "install-deps: adding a deb-src entry for Debian 12 (bookworm) main"
  printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" "Suites: bookworm" "Components: main" \
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
    "${sudo[@]}" tee /etc/apt/sources.list.d/switchyard-deb-src.sources >/dev/null
  "${sudo[@]}" apt-get update -q
fi
echo "install-deps: building libsrtp (OpenSSL backend) from Debian's source package"
apt-get source -q libsrtp2 >apt-source.log 2>&1 || { cat apt-source.log >&2; exit 1; }
src=$(find . -maxdepth 1 -type d -name 'libsrtp2-*' | head -1)
[ -n "$src" ] || { echo "install-deps: apt-get source libsrtp2 gave no source tree" >&2; exit 1; }
cd "$src"
./configure --enable-openssl --prefix="$srtp_prefix" CFLAGS="-O2 -fPIC" >configure.log 2>&1 ||
  { tail -30 configure.log >&2; exit 1; }
grep -q '^#define OPENSSL 1' crypto/include/config.h ||
  { echo "install-deps: libsrtp configure did not enable OpenSSL" >&2; exit 1; }
make -j"$(nproc)" libsrtp2.a >make.log 2>&1 || { tail -30 make.log >&2; exit 1; }
make install >install.log 2>&1 || { tail -30 install.log >&2; exit 1; }
echo "$(basename "$src")" >"$srtp_prefix/.openssl"
echo "install-deps: libsrtp $(basename "$src") with OpenSSL installed in build/deps/libsrtp"
