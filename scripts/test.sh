#!/usr/bin/env bash
# Runs every test: unit tests (CTest) and end-to-end tests (node --test), first
# on the release build (with the browser tests), then again on a build with AddressSanitizer and
# UndefinedBehaviorSanitizer. Set SWITCHBOARD_SKIP_SANITIZERS=1 to run only the first.
# After the release pass, the package tests (tests/package/) and a fuzz smoke
# run (scripts/fuzz.sh, the same 20,000 inputs per target each time;
# SWITCHBOARD_SKIP_FUZZ=1 skips it); last, the unit and e2e tests on a
# ThreadSanitizer build with 2 shards (SWITCHBOARD_SKIP_TSAN=1 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_suite() {
  local dir=$1
  shift
  echo "== build $dir"
  bash scripts/build.sh "$dir" "$@"
  echo "== unit tests ($dir)"
  ctest --test-dir "$dir" --output-on-failure --parallel 2
  echo "== end-to-end tests ($dir)"
  # Files in parallel, two at a time (one per core): each starts its own servers.
  (cd tests/e2e && SWITCHBOARD_BUILD_DIR="../../$dir" node --test --test-concurrency=2 --test-reporter=spec \
    engine/*.test.js socketio/*.test.js service/*.test.js cluster/*.test.js ingest/*.test.js)
  echo "== benchmark harness, quick mode ($dir)"
  SWITCHBOARD_BUILD_DIR="$dir" node bench/run.mjs --quick
}

# The browser tests (tests/e2e/web/: the admin UI and the demo page in
# Chromium) on the release build only: under ASan or TSan the daemon is slow
# enough that Chromium's timeouts, not the server, would be what they test.
# One file at a time: each starts a browser, which wants both cores.
run_browser_tests() {
  local dir=$1
  echo "== browser tests ($dir)"
  (cd tests/e2e && SWITCHBOARD_BUILD_DIR="../../$dir" node --test --test-concurrency=1 --test-reporter=spec web/*.test.js)
}

# The installed library and the Debian package, from the release tree as built.
run_package_tests() {
  local dir=$1
  echo "== package tests ($dir)"
  bash tests/package/consumer_test.sh "$dir"
  bash tests/package/deb_test.sh "$dir"
}

# Races are between shards: two are enough, and the suites run once.
run_tsan_suite() {
  echo "== build build-tsan"
  # -O1 and line tables only (-g1): a report still names functions and lines,
  # and the build takes about half the time of -O2 -g.
  bash scripts/build.sh build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DSWITCHBOARD_TSAN=ON
  echo "== unit tests (build-tsan)"
  ctest --test-dir build-tsan --output-on-failure --parallel 2
  echo "== end-to-end tests (build-tsan, 2 shards)"
  (cd tests/e2e && SWITCHBOARD_BUILD_DIR=../../build-tsan SWITCHBOARD_SHARDS=2 node --test --test-concurrency=2 \
    --test-reporter=spec engine/*.test.js socketio/*.test.js service/*.test.js cluster/*.test.js)
}

run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_browser_tests build
run_package_tests build
if [ "${SWITCHBOARD_SKIP_FUZZ:-0}" != "1" ]; then
  echo "== fuzz smoke run (build-fuzz)"
  FUZZ_RUNS=20000 bash scripts/fuzz.sh
fi
# Tests that measure latency check it on the release build only.
export SWITCHBOARD_SANITIZED=1
if [ "${SWITCHBOARD_SKIP_SANITIZERS:-0}" != "1" ]; then
  run_suite build-sanitize -DCMAKE_BUILD_TYPE=Debug -DSWITCHBOARD_SANITIZE=ON
fi
if [ "${SWITCHBOARD_SKIP_TSAN:-0}" != "1" ]; then
  run_tsan_suite
fi
echo "== all tests passed"
