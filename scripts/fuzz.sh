#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang-14, ASan + UBSan, in
# build-fuzz/) and runs each for SECONDS (default 60) on a temporary copy of
# its seed corpus (fuzz/corpus/<target>/, which never grows). Prints per
# target the executions, the coverage (libFuzzer's cov: and ft:) and any
# crash; a crashing input is kept in build-fuzz/crashes/. Exits 1 if a target
# crashed, leaked, timed out or ran out of memory.
#
# Usage: scripts/fuzz.sh [SECONDS]
#   FUZZ_TARGETS="url jwt"  only these targets (names without _fuzz)
#   FUZZ_RUNS=N             N inputs per target from seed 1 instead of SECONDS:
#                           the same inputs on every run (CI's smoke run, so
#                           that it never fails by chance on a new finding)
#   FUZZ_JOBS=N             targets run at once (default: the cores, at most 2)
#   FUZZ_BUILD_DIR=DIR      a tree already configured with SWITCHBOARD_FUZZ=ON
#                           (CI's build-sanitize, -O0: its ASan e2e pass and
#                           the smoke run share one build); only the targets
#                           are built there, and crashes go to DIR/crashes/
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-$(($(nproc) < 2 ? 1 : 2))}

# Timed runs get their own tree at -O1 (about twice the executions per
# second of -O0), with line tables only: a crash's stack still names
# functions and lines, and the build takes about half the time of -O2 -g.
# Asserts stay on: a library's assertion that input can fail is a finding,
# since NDEBUG may turn it into undefined behaviour (toml++'s
# TOML_ASSERT_ASSUME becomes __builtin_assume).
if [ -z "${FUZZ_BUILD_DIR:-}" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DSWITCHBOARD_FUZZ=ON -DSWITCHBOARD_TESTS=OFF >/dev/null
fi
ninja -C "$build" fuzz-targets | grep -v '^\[' || true

if [ -n "${FUZZ_TARGETS:-}" ]; then
  targets=($FUZZ_TARGETS)
else
  targets=()
  for source in fuzz/*_fuzz.cpp; do
    name=$(basename "$source" .cpp)
    targets+=("${name%_fuzz}")
  done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/crashes"

run_target() {
  local t=$1
  local options=()
  case $t in
    # A server on its own threads: a leak check after each input would scan
    # its heap (most of the time spent), and entropic scheduling over its
    # ~20k features costs more than it finds.
    http_server) options=(-detect_leaks=0 -entropic=0) ;;
  esac
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  [ -d "fuzz/corpus/$t" ] && cp -r "fuzz/corpus/$t/." "$work/corpus/$t/"
  local rc=0
  local budget=(-max_total_time="$seconds")
  [ -n "${FUZZ_RUNS:-}" ] && budget=(-runs="$FUZZ_RUNS" -seed=1)
  "$build/fuzz/${t}_fuzz" "${budget[@]}" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/$t/" "${options[@]}" "$work/corpus/$t" >"$work/$t.log" 2>&1 || rc=$?
  echo "$rc" >"$work/$t.rc"
}

# At most $jobs targets at once.
running=0
for t in "${targets[@]}"; do
  [ -x "$build/fuzz/${t}_fuzz" ] || { echo "fuzz: no target $t" >&2; exit 2; }
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

failed=0
printf '%-22s %12s %8s %8s %7s  %s\n' target executions cov ft corpus result
for t in "${targets[@]}"; do
  log=$work/$t.log
  rc=$(cat "$work/$t.rc")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # The last status line: "#N DONE cov: C ft: F corp: K/..." (or pulse/NEW before a crash).
  status=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$status")
  [ -z "$execs" ] && execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$status")
  result=ok
  if [ "$rc" != 0 ]; then
    failed=1
    result="CRASH (exit $rc)"
    for artifact in "$work/artifacts/$t"/*; do
      [ -f "$artifact" ] || continue
      cp "$artifact" "$build/crashes/${t}-$(basename "$artifact")"
      result="$result: $build/crashes/${t}-$(basename "$artifact")"
    done
  fi
  printf '%-22s %12s %8s %8s %7s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done

if [ "$failed" = 1 ]; then
  for t in "${targets[@]}"; do
    [ "$(cat "$work/$t.rc")" = 0 ] && continue
    echo
    echo "== $t: the end of libFuzzer's output"
    grep -v -E '^#[0-9]+|^INFO:' "$work/$t.log" | tail -60
  done
  echo
  echo "fuzz: a target failed; rerun one input with $build/fuzz/<target>_fuzz <file>" >&2
  exit 1
fi
if [ -n "${FUZZ_RUNS:-}" ]; then
  echo "fuzz: no crash in ${#targets[@]} targets, ${FUZZ_RUNS} inputs each (seed 1)"
else
  echo "fuzz: no crash in ${#targets[@]} targets, ${seconds} s each"
fi
