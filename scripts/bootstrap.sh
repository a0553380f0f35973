#!/usr/bin/env bash
# Installs every build and test dependency of Switchboard on Debian 12.
# Idempotent: when everything is present it only checks and returns in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages. Boost 1.81 only: libboost-dev (1.74) conflicts with it;
# msgpuck, not libmsgpack-dev (which pulls Boost 1.74). redis-server is only
# run by the tests, as private instances on loopback (it starts no service
# here); rabbitmq-server likewise (the ingest tests start private brokers;
# bootstrap stops and disables the service Debian starts on install);
# librabbitmq-dev is rabbitmq-c 0.11, the AMQP client of src/ingest/, and
# toml++ reads its [[route]] tables; libjemalloc-dev is the programs'
# allocator (CMakeLists.txt, SWITCHBOARD_MALLOC); clang-14 and libFuzzer build the
# fuzzers; dpkg-dev gives CPack's .deb its dependencies (dpkg-shlibdeps);
# zlib1g-dev gzips the served client bundle, libcrypt-dev (libxcrypt) checks
# the admin UI's bcrypt password; chromium runs the browser tests
# (tests/e2e/web/, driven by playwright-core from npm).
# prometheus gives the metrics test promtool, Prometheus' own parser of the
# text format (bootstrap stops and disables the service it starts).
packages=(
  build-essential g++ cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libspdlog-dev libfmt-dev libcli11-dev libjwt-dev
  libgtest-dev googletest
  libhiredis-dev libmsgpuck-dev librabbitmq-dev libtomlplusplus-dev libjemalloc-dev
  redis-server rabbitmq-server
  clang-14 libfuzzer-14-dev
  curl
  dpkg-dev
  zlib1g-dev libcrypt-dev chromium
  prometheus
)
# Node.js 18+ runs the e2e tests; a machine may already have a Node.js that
# bundles npm (so Debian's npm package would conflict): install only what is absent.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian starts a system broker on install; the tests start their own, on
  # private ports, and a system one would only hold epmd's port and memory.
  if [[ " ${missing[*]} " == *" rabbitmq-server "* ]] && command -v systemctl >/dev/null; then
    $sudo_cmd systemctl disable --now rabbitmq-server >/dev/null 2>&1 || true
  fi
  if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null; then
    $sudo_cmd systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

# npm packages, pinned by their lock files: the end-to-end tests', the
# benchmarks' reference server, and web/'s socket.io-client (the bundle the
# daemon serves at /socket.io/socket.io.js).
for dir in tests/e2e bench web; do
  lock=$dir/package-lock.json
  stamp=$dir/node_modules/.bootstrap-stamp
  if [ -f "$lock" ] && { [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; }; then
    echo "bootstrap: installing npm packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
done
echo "bootstrap: all dependencies present"
