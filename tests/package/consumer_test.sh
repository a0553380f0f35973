#!/usr/bin/env bash
# The library as a C++ team gets it: installs BUILD_DIR (default build, already
# built) into a scratch prefix, checks the installed headers are exactly those
# switchboard.hpp needs, builds tests/package/consumer/ as a project of its own
# with find_package(Switchboard CONFIG), runs it and connects a real
# socket.io-client to it; then builds the same program with pkg-config alone
# and does the same. Usage: tests/package/consumer_test.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
test_name=consumer_test
source tests/package/lib.sh
start=$(date +%s)

build=$(realpath "${1:-build}")
compgen -G "$build/libswitchboard.[as]*" >/dev/null && [ -x "$build/switchboard" ] ||
  die "$build is not a built Switchboard tree (run scripts/build.sh first)"
version=$(build_version "$build")
# A fixed scratch directory, so that ccache recognises the consumer's compiles the next time.
work=$build/package-test/consumer
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
ok "cmake --install into $prefix"
for f in include/switchboard/switchboard.hpp include/switchboard/version.hpp lib/cmake/Switchboard/SwitchboardConfig.cmake \
  lib/cmake/Switchboard/SwitchboardConfigVersion.cmake lib/cmake/Switchboard/SwitchboardTargets.cmake \
  lib/pkgconfig/switchboard.pc bin/switchboard; do
  [ -f "$prefix/$f" ] || die "not installed: $f"
done
ls "$prefix"/lib/libswitchboard.* >/dev/null 2>&1 || die "not installed: lib/libswitchboard"
[ ! -e "$prefix/etc" ] && [ ! -e "$prefix/lib/systemd" ] || die "cmake --install wrote the .deb's /etc or systemd files"
ok "installed: library, headers, CMake package, switchboard.pc, bin/switchboard (no /etc, no systemd unit)"

# The installed headers are what the compiler opens for switchboard.hpp, no more, no less.
inc=$prefix/include/switchboard
needed=$(g++ -std=c++20 -MM -I"$inc" -x c++ "$inc/switchboard.hpp" | tr ' \\' '\n\n' | grep "^$inc/" | sed "s#^$inc/##" | sort -u)
installed=$(cd "$inc" && find . -type f | sed 's#^\./##' | sort)
[ "$needed" = "$installed" ] ||
  die "installed headers differ from what switchboard.hpp includes:$(diff <(echo "$needed") <(echo "$installed") | sed 's/^/  /')"
ok "the $(echo "$installed" | wc -l) installed headers are exactly those switchboard.hpp includes"

# run_consumer NAME BINARY: starts it on a port it picks, checks its ready line,
# connects the real client, stops it.
run_consumer() {
  local name=$1 binary=$2 line port pid
  "$binary" 0 >"$work/$name.out" 2>&1 &
  pid=$!
  pids+=("$pid")
  line=$(wait_for_line "$work/$name.out" '^consumer ready ' "$pid")
  read -r _ _ port got <<<"$line"
  [ "$got" = "$version" ] || die "$name: switchboard::version() is '$got', the build's version is '$version'"
  ok "$name: listening on 127.0.0.1:$port, switchboard::version() = $got"
  node tests/package/client.js "$port" || die "$name: the socket.io-client checks failed; its output: $(cat "$work/$name.out")"
  stop "$pid"
  ok "$name: a socket.io-client connected (polling, WebSocket) and got its ack; SIGTERM ended it with 0"
}

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# 1. CMake: the project is copied out of the source tree, so it can reach nothing but the prefix.
cp -r tests/package/consumer "$work/src"
cmake -S "$work/src" -B "$work/cmake-build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "${launcher[@]}" >"$work/configure.log" || die "configure failed: $(cat "$work/configure.log")"
found=$(sed -n 's/^Switchboard_DIR:PATH=//p' "$work/cmake-build/CMakeCache.txt")
[ "$found" = "$prefix/lib/cmake/Switchboard" ] || die "find_package(Switchboard) found '$found', not the prefix's"
ok "find_package(Switchboard 0.5 CONFIG) found $found"
ninja -C "$work/cmake-build" -j2 >"$work/build.log" || die "build failed: $(cat "$work/build.log")"
ok "built the consumer against Switchboard::switchboard"
run_consumer cmake-consumer "$work/cmake-build/consumer"

# 2. pkg-config: only what switchboard.pc says.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
pc_version=$(pkg-config --modversion switchboard)
[ "$pc_version" = "$version" ] || die "pkg-config --modversion switchboard is '$pc_version', not '$version'"
flags=$(pkg-config --cflags --libs switchboard)
ok "pkg-config switchboard $pc_version: $flags"
cc=(g++)
command -v ccache >/dev/null && cc=(ccache g++)
# shellcheck disable=SC2086 # the flags are words
"${cc[@]}" -std=c++20 -O2 "$work/src/main.cpp" -o "$work/pkgconfig-consumer" $flags || die "the pkg-config build failed"
ok "built the consumer with g++ \$(pkg-config --cflags --libs switchboard)"
run_consumer pkgconfig-consumer "$work/pkgconfig-consumer"

ok "all checks passed in $(($(date +%s) - start)) s"
