#!/usr/bin/env bash
# Installs what Switchyard needs from Debian 12's packages. Idempotent: when everything is present
# it changes nothing and asks no registry. Usage: deploy/install-deps.sh [--test]
#   (no flag)  build and run: compiler, CMake, Ninja and the libraries
#   --test     also the test tools: Catch2, clang + its sanitizer/libFuzzer runtime
set -euo pipefail

build_packages=(g++ cmake ninja-build pkg-config libboost-dev libssl-dev libsrtp2-dev libusrsctp-dev
                libspdlog-dev nlohmann-json3-dev)
test_packages=(catch2 clang clang-format libclang-rt-14-dev)

packages=("${build_packages[@]}")
for arg in "$@"; do
  case "$arg" in
    --test) packages+=("${test_packages[@]}") ;;
    *) echo "install-deps.sh: unknown argument '$arg' (use --test or nothing)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "install-deps: missing ${missing[*]}; run as root or install sudo" >&2; exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
