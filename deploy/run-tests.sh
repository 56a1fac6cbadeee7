#!/usr/bin/env bash
# Installs what is missing (test tools too), builds and runs every test:
#   1. clang Debug build (-O1, assertions on) with AddressSanitizer + UndefinedBehaviorSanitizer and
#      libFuzzer: all Catch2 tests, the browser end-to-end tests against the sanitized server
#      and the fuzz corpora under the sanitizers, then each fuzz target for SWITCHYARD_FUZZ_SECONDS
#      (default 8) seconds; any finding fails the run (artifacts in build/fuzz/artifacts/).
#   2. GCC Release build: all tests again, as shipped, plus the end-to-end browser tests
#      (tests/e2e: headless Chromium and Firefox calling through the real server, ctest label e2e,
#      run one at a time).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)
fuzz_seconds=${SWITCHYARD_FUZZ_SECONDS:-8}

deploy/install-deps.sh --test

step() { printf '\n==== %s\n' "$*"; }

step "sanitizer + fuzz build (clang, ASan+UBSan, libFuzzer)"
# Line tables are all a sanitizer report needs; the Catch2 runners' own sources build at -O0
# (SWITCHYARD_TEST_CODE_FLAGS) while the libraries they test keep -O1: 6m20s instead of 10 minutes.
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-gline-tables-only -O1" \
  -DCMAKE_CXX_COMPILER=clang++ -DSWITCHYARD_TEST_CODE_FLAGS=-O0 \
  -DSWITCHYARD_SANITIZE=ON -DSWITCHYARD_FUZZ=ON -DSWITCHYARD_E2E=ON >/dev/null
cmake --build build/fuzz -j "$jobs"

step "tests under ASan+UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build/fuzz && ctest -j "$jobs" --output-on-failure --timeout 300)

step "fuzzing each target for ${fuzz_seconds}s"
mkdir -p build/fuzz/artifacts build/fuzz/corpus
targets=$(find build/fuzz/tests -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort)
[ -n "$targets" ] || { echo "no fuzz targets were built" >&2; exit 1; }
run_fuzzer() {
  local bin=$1 name
  name=$(basename "$bin"); name=${name#fuzz_}
  mkdir -p "build/fuzz/corpus/$name"
  if "$bin" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="build/fuzz/artifacts/$name-" "build/fuzz/corpus/$name" "tests/fuzz/corpus/$name" \
       >"build/fuzz/$name.log" 2>&1; then
    echo "fuzz $name: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "build/fuzz/$name.log" | grep -o '[0-9]*$') runs)"
  else
    echo "fuzz $name: FAILED, see build/fuzz/$name.log and build/fuzz/artifacts/" >&2
    tail -40 "build/fuzz/$name.log" >&2
    return 1
  fi
}
export -f run_fuzzer
export fuzz_seconds
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_fuzzer {}'

step "Release build (GCC) and all tests"
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=Release -DSWITCHYARD_E2E=ON >/dev/null
cmake --build build/test -j "$jobs"
cd build/test && ctest -j "$jobs" --output-on-failure --timeout 300
