#!/usr/bin/env bash
# Runs every test: unit tests (CTest) and end-to-end tests (node --test), first
# on the release build (with the browser tests and the package tests,
# tests/package/), then again on a clang build with AddressSanitizer and
# UndefinedBehaviorSanitizer, which also holds the libFuzzer targets: a fuzz
# smoke run follows its tests (scripts/fuzz.sh, the same 20,000 inputs per
# target each time; SWITCHBOARD_SKIP_FUZZ=1 skips it). Set
# SWITCHBOARD_SKIP_SANITIZERS=1 to run only the release pass. Last, the unit
# and e2e tests on a ThreadSanitizer build with 2 shards
# (SWITCHBOARD_SKIP_TSAN=1 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# What the e2e suites and the unit tests run; the sanitizer trees build only
# these (the benchmark's programs are built and run on the release tree).
tested_programs=(switchboard-daemon engine-echo chat-server embedded-service socketio-test-server
  service-driver unit-tests)

# A test that hangs fails after 3 minutes (the slowest passes in under 30 s,
# under TSan too), and a file whose test left a socket or a timer behind
# exits when its tests are done instead of holding the whole run.
node_test=(node --test --test-timeout=180000 --test-force-exit)

run_tests() {
  local dir=$1
  echo "== unit tests ($dir)"
  ctest --test-dir "$dir" --output-on-failure --parallel 2
  echo "== end-to-end tests ($dir)"
  # Files in parallel, two at a time (one per core): each starts its own servers.
  (cd tests/e2e && SWITCHBOARD_BUILD_DIR="../../$dir" "${node_test[@]}" --test-concurrency=2 --test-reporter=spec \
    engine/*.test.js socketio/*.test.js service/*.test.js cluster/*.test.js ingest/*.test.js)
}

run_release_suite() {
  echo "== build build"
  # -O2 as a release, with line tables only (-g1): a backtrace still names
  # functions and lines, the tree compiles in about 80 % of the time of -g,
  # and the .deb is stripped either way.
  bash scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
  run_tests build
  echo "== benchmark harness, quick mode (build)"
  SWITCHBOARD_BUILD_DIR=build node bench/run.mjs --quick
}

# One clang tree for ASan/UBSan and the fuzz targets: -O0 with line tables
# only compiles in about a quarter of the time of GCC's -O0 -g plus the fuzz
# tree's -O1, and a report still names functions and lines.
run_sanitize_suite() {
  echo "== build build-sanitize (clang, ASan + UBSan, fuzz targets)"
  SWITCHBOARD_BUILD_TARGETS="${tested_programs[*]} fuzz-targets" bash scripts/build.sh build-sanitize \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -gline-tables-only" \
    -DSWITCHBOARD_FUZZ=ON
  run_tests build-sanitize
  if [ "${SWITCHBOARD_SKIP_FUZZ:-0}" != "1" ]; then
    echo "== fuzz smoke run (build-sanitize)"
    FUZZ_BUILD_DIR=build-sanitize FUZZ_RUNS=20000 bash scripts/fuzz.sh
  fi
}

# The browser tests (tests/e2e/web/: the admin UI and the demo page in
# Chromium) on the release build only: under ASan or TSan the daemon is slow
# enough that Chromium's timeouts, not the server, would be what they test.
# One file at a time: each starts a browser, which wants both cores.
run_browser_tests() {
  local dir=$1
  echo "== browser tests ($dir)"
  (cd tests/e2e && SWITCHBOARD_BUILD_DIR="../../$dir" "${node_test[@]}" --test-concurrency=1 --test-reporter=spec web/*.test.js)
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
  SWITCHBOARD_BUILD_TARGETS="${tested_programs[*]}" bash scripts/build.sh build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DSWITCHBOARD_TSAN=ON
  echo "== unit tests (build-tsan)"
  ctest --test-dir build-tsan --output-on-failure --parallel 2
  echo "== end-to-end tests (build-tsan, 2 shards)"
  (cd tests/e2e && SWITCHBOARD_BUILD_DIR=../../build-tsan SWITCHBOARD_SHARDS=2 "${node_test[@]}" --test-concurrency=2 \
    --test-reporter=spec engine/*.test.js socketio/*.test.js service/*.test.js cluster/*.test.js)
}

run_release_suite
run_browser_tests build
run_package_tests build
# Tests that measure latency check it on the release build only.
export SWITCHBOARD_SANITIZED=1
if [ "${SWITCHBOARD_SKIP_SANITIZERS:-0}" != "1" ]; then
  run_sanitize_suite
fi
if [ "${SWITCHBOARD_SKIP_SANITIZERS:-0}" != "1" ] && [ "${SWITCHBOARD_SKIP_TSAN:-0}" != "1" ]; then
  run_tsan_suite
fi
echo "== all tests passed"
