#!/usr/bin/env bash
# Builds the Debian package of the daemon from an already-built tree:
# DIR/switchboard_<version>_amd64.deb (cmake/package.cmake says what is in it).
# Usage: scripts/package.sh [DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(realpath "${1:-build}")
(cd "$dir" && cpack -G DEB >cpack.log 2>&1) || {
  cat "$dir/cpack.log" >&2
  exit 1
}
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$dir/CMakeCache.txt")
deb=$dir/switchboard_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || {
  echo "package.sh: cpack did not write $deb" >&2
  exit 1
}
echo "$deb"
