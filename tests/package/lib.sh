# shellcheck shell=bash disable=SC2154 # test_name is set by the script that sources this
# Helpers of tests/package/*.sh (sourced). Each check prints what it checked;
# the first that fails ends the script with its reason.

say() { echo "$test_name: $*"; }
ok() { echo "$test_name: ok: $*"; }
die() {
  echo "$test_name: FAILED: $*" >&2
  exit 1
}

# The version the build tree was configured with (project(VERSION) in CMakeLists.txt).
build_version() {
  sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$1/CMakeCache.txt"
}

# wait_for_line FILE REGEX PID: waits up to 15 s for a line of FILE to match,
# prints it; fails if PID exits first.
wait_for_line() {
  local file=$1 regex=$2 pid=$3 line
  for _ in $(seq 150); do
    line=$(grep -E -m1 "$regex" "$file" || true)
    if [ -n "$line" ]; then
      echo "$line"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || die "process $pid exited before printing /$regex/: $(cat "$file")"
    sleep 0.1
  done
  die "no line /$regex/ from process $pid within 15 s: $(cat "$file")"
}

# stop PID: SIGTERM, then the exit code must be 0 (the two-phase shutdown ran).
stop() {
  local pid=$1 code=0
  kill -TERM "$pid"
  wait "$pid" || code=$?
  [ "$code" -eq 0 ] || die "process $pid exited with $code after SIGTERM"
}
