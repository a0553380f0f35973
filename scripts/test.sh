#!/usr/bin/env bash
# Runs every test: unit tests (CTest) and end-to-end tests (node --test), first
# on the release build, then again on a build with AddressSanitizer and
# UndefinedBehaviorSanitizer. Set SWITCHBOARD_SKIP_SANITIZERS=1 to run only the first.
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

run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "${SWITCHBOARD_SKIP_SANITIZERS:-0}" != "1" ]; then
  run_suite build-sanitize -DCMAKE_BUILD_TYPE=Debug -DSWITCHBOARD_SANITIZE=ON
fi
echo "== all tests passed"
