#!/usr/bin/env bash
# Configures and builds one build tree. Usage: scripts/build.sh [DIR] [cmake options...]
# SWITCHBOARD_BUILD_TARGETS="a b" builds only those targets (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
# Word splitting is wanted: a list of target names.
# shellcheck disable=SC2086
ninja -C "$dir" ${SWITCHBOARD_BUILD_TARGETS:-}
