#!/usr/bin/env bash
# Instructions per connection, counted by callgrind: a figure that does not
# drift with the machine, for changes too small for the timed connect storm
# (whose CPU figure moves by 3-5 µs between runs minutes apart here).
#
# Each binary serves two storms under callgrind, of 2,000 and 4,000
# WebSocket connections with their Socket.IO CONNECT, opened one at a time so
# that each takes the same path, and closed after. The difference divided by
# 2,000 is the instructions per connection (connect and close), without the
# start-up. Three interleaved runs; the median, and all three.
#
# usage: bench/instructions.sh [BINARY...]
#   default: build/bench-server build/raw-server
#   REPS=5 bench/instructions.sh OLD/bench-server build/bench-server
# Needs valgrind (installed here if missing) and build/loadgen. Takes about
# 5 s per binary and run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null; then
  echo "instructions: installing valgrind" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y valgrind >/dev/null
fi
loadgen=build/loadgen
[ -x "$loadgen" ] || { echo "instructions: $loadgen is missing: build first (scripts/build.sh build)" >&2; exit 1; }
binaries=("$@")
[ ${#binaries[@]} -gt 0 ] || binaries=(build/bench-server build/raw-server)
for b in "${binaries[@]}"; do
  [ -x "$b" ] || { echo "instructions: $b is not an executable" >&2; exit 1; }
done
reps=${REPS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Total instructions of one server process that served `connections`.
count() {
  local binary=$1 connections=$2 out="$work/callgrind.out" log="$work/server.log"
  local args=(--host 127.0.0.1 --port 0 --threads 1)
  [ "$(basename "$binary")" = raw-server ] && args=(--port 0)
  rm -f "$out"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" "${args[@]}" >"$log" 2>"$work/valgrind.log" &
  local pid=$! port=""
  for _ in $(seq 300); do
    port=$(grep -o "listening on [0-9.]*:[0-9]*" "$log" 2>/dev/null | sed 's/.*://' || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "instructions: $binary did not start under valgrind" >&2; kill "$pid"; exit 1; }
  "$loadgen" --port "$port" --scenario connect --connections "$connections" --handshakes-in-flight 1 >/dev/null
  kill -TERM "$pid"
  wait "$pid" || true
  awk '/^summary:/ {print $2}' "$out"
}

declare -A results
for _ in $(seq "$reps"); do
  for b in "${binaries[@]}"; do
    small=$(count "$b" 2000)
    large=$(count "$b" 4000)
    results[$b]+="$(((large - small) / 2000)) "
  done
done
printf '%-40s %10s   %s\n' binary median "runs (instructions per connection)"
for b in "${binaries[@]}"; do
  read -ra runs <<<"${results[$b]}"
  median=$(printf '%s\n' "${runs[@]}" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
  printf '%-40s %10s   %s\n' "$b" "$median" "${runs[*]}"
done
