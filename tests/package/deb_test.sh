#!/usr/bin/env bash
# The daemon as an operator gets it: builds the .deb from BUILD_DIR (default
# build, already built), installs it on this machine, runs /usr/bin/switchboard
# as the service would (user switchboard, the shipped switchboard.env and
# switchboard.toml) on a free port, checks /health, --version and the unit,
# and purges the package again, checking that its files are gone. Runs itself
# with sudo when not root. The system user switchboard stays, as after any purge.
# Usage: tests/package/deb_test.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
test_name=deb_test
source tests/package/lib.sh
start=$(date +%s)

# dpkg -i needs root.
[ "$(id -u)" -eq 0 ] || exec sudo bash "$0" "$@"
build=$(realpath "${1:-build}")
version=$(build_version "$build")
commit=unknown
top=$(git rev-parse --show-toplevel 2>/dev/null || true)
[ -n "$top" ] && [ "$(realpath "$top")" = "$(pwd -P)" ] && commit=$(git rev-parse --short HEAD)
work=$build/package-test/deb
rm -rf "$work"
mkdir -p "$work"

deb=$(bash scripts/package.sh "$build")
[ "$(basename "$deb")" = "switchboard_${version}_amd64.deb" ] || die "package file is $(basename "$deb")"
ok "cpack -G DEB wrote $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# What is in it.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#' >"$work/contents"
for f in /usr/bin/switchboard /lib/systemd/system/switchboard.service /etc/switchboard/switchboard.toml \
  /etc/switchboard/switchboard.env /usr/share/switchboard/client/socket.io.min.js /usr/share/switchboard/demo/index.html; do
  grep -qx "$f" "$work/contents" || die "$f is not in the package"
done
ok "holds /usr/bin/switchboard, /lib/systemd/system/switchboard.service, /etc/switchboard/switchboard.{toml,env}, the client bundle and the demo page"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$work/conffiles"
grep -qx /etc/switchboard/switchboard.toml "$work/conffiles" && grep -qx /etc/switchboard/switchboard.env "$work/conffiles" ||
  die "conffiles: $(cat "$work/conffiles")"
ok "switchboard.toml and switchboard.env are conffiles"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libstdc++6 libssl3 libjwt libspdlog libhiredis libboost-json1.81 libjemalloc2; do
  grep -q "$lib" <<<"$depends" || die "Depends (from dpkg-shlibdeps) lacks $lib: $depends"
done
ok "Depends, from dpkg-shlibdeps: $depends"
unit=$work/switchboard.service
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/switchboard.service >"$unit"
for line in User=switchboard Restart=on-failure EnvironmentFile=-/etc/switchboard/switchboard.env \
  "ExecStart=/usr/bin/switchboard --config /etc/switchboard/switchboard.toml"; do
  grep -qxF "$line" "$unit" || die "the unit has no line '$line'"
done
nofile=$(sed -n 's/^LimitNOFILE=//p' "$unit")
[ "${nofile:-0}" -ge 65536 ] || die "LimitNOFILE is '$nofile'"
ok "the unit runs as switchboard, Restart=on-failure, LimitNOFILE=$nofile, EnvironmentFile, ExecStart with the TOML file"

# Install. A leftover of an earlier run goes first.
if dpkg-query -W -f='${Status}' switchboard 2>/dev/null | grep -q installed; then
  say "switchboard is installed already: purging it first"
  dpkg --purge switchboard >/dev/null
fi
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
  if dpkg-query -W -f='${Status}' switchboard 2>/dev/null | grep -q installed; then
    dpkg --purge switchboard >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
if ! dpkg -i "$deb" >"$work/dpkg-install.log" 2>&1; then
  say "dpkg -i left dependencies to resolve: apt-get -f install"
  DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq >>"$work/dpkg-install.log" 2>&1 ||
    die "could not install: $(cat "$work/dpkg-install.log")"
fi
[ "$(dpkg-query -W -f='${Status}' switchboard)" = "install ok installed" ] || die "not installed after dpkg -i"
ok "dpkg -i: installed"
getent passwd switchboard >/dev/null || die "postinst created no user switchboard"
[ "$(stat -c '%U:%G %a' /etc/switchboard/switchboard.env)" = "root:switchboard 640" ] ||
  die "switchboard.env is $(stat -c '%U:%G %a' /etc/switchboard/switchboard.env), not root:switchboard 640"
[ -L /etc/systemd/system/multi-user.target.wants/switchboard.service ] || die "postinst did not enable the unit"
ok "postinst: system user switchboard, switchboard.env root:switchboard 0640, unit enabled"

# The example settings, commented out or not, are all settings the daemon knows.
sed 's/^#\([a-z-]* = \)/\1/' /etc/switchboard/switchboard.toml >"$work/every-setting.toml"
/usr/bin/switchboard --config "$work/every-setting.toml" --help >/dev/null 2>"$work/every-setting.err" ||
  die "the shipped switchboard.toml has a key the daemon refuses: $(cat "$work/every-setting.err")"
ok "every key of the shipped switchboard.toml, commented or not, is a setting (--config ... --help)"

# --version
out=$(/usr/bin/switchboard --version)
[ "$out" = "switchboard $version (commit $commit)" ] || die "--version printed '$out', expected 'switchboard $version (commit $commit)' (is $build built from HEAD?)"
ok "--version: $out"

# The daemon as systemd starts it: user switchboard, the env file, the TOML
# file; only the port differs (PORT=0: a free one; the environment wins over the TOML file).
(
  set -a
  # shellcheck disable=SC1091
  source /etc/switchboard/switchboard.env
  set +a
  # setpriv execs (runuser would stay as a parent and kill the draining daemon).
  PORT=0 exec setpriv --reuid=switchboard --regid=switchboard --init-groups \
    /usr/bin/switchboard --config /etc/switchboard/switchboard.toml
) >"$work/daemon.out" 2>&1 &
daemon_pid=$!
line=$(wait_for_line "$work/daemon.out" '^switchboard listening on ' "$daemon_pid")
address=$(sed -E 's/^switchboard listening on ([^ /]+).*/\1/' <<<"$line")
[ "${address%:*}" = 127.0.0.1 ] || die "listening on $address, not the shipped host 127.0.0.1"
user=$(ps -o user= -p "$daemon_pid" | tr -d ' ')
[ "$user" = switchboard ] || die "the daemon runs as '$user'"
ok "started with the shipped configuration as user switchboard: $line"
health=$(curl -fsS "http://$address/health") || die "GET /health failed"
node -e '
  const h = JSON.parse(process.argv[1]);
  if (h.status !== "OK" || h.version !== process.argv[2] || h.commit !== process.argv[3]) {
    console.error(`unexpected /health: ${process.argv[1]}`);
    process.exit(1);
  }' "$health" "$version" "$commit" || die "/health is $health"
ok "GET /health: $health"
handshake=$(curl -fsS "http://$address/socket.io/?EIO=4&transport=polling")
[[ "$handshake" == '0{"sid":'* ]] || die "Engine.IO handshake answered '$handshake'"
ok "Engine.IO handshake: ${handshake:0:40}..."
# The bundle from /usr/share/switchboard/client; the demo page off (demo = "false" in the TOML file).
cmp -s <(curl -fsS "http://$address/socket.io/socket.io.min.js") web/node_modules/socket.io-client/dist/socket.io.min.js ||
  die "GET /socket.io/socket.io.min.js is not the packaged bundle"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$address/")" = 404 ] || die "the demo page is served by the package"
ok "serves the packaged client bundle; no demo page"
stop "$daemon_pid"
daemon_pid=
ok "SIGTERM: drained and exited with 0"

# The unit, where systemd's analyzer exists (there is no running systemd here).
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /lib/systemd/system/switchboard.service >"$work/verify.log" 2>&1 ||
    die "systemd-analyze verify: $(cat "$work/verify.log")"
  [ ! -s "$work/verify.log" ] || die "systemd-analyze verify warned: $(cat "$work/verify.log")"
  ok "systemd-analyze verify switchboard.service: clean"
else
  say "skipped: systemd-analyze is not installed, the unit was not verified"
fi

# Purge: every file of the package is gone.
dpkg --purge switchboard >"$work/dpkg-purge.log" 2>&1 || die "dpkg --purge: $(cat "$work/dpkg-purge.log")"
dpkg-query -W -f='${Status}' switchboard 2>/dev/null | grep -q installed && die "still installed after purge"
for f in $(grep -v '/$' "$work/contents") /etc/switchboard /etc/systemd/system/multi-user.target.wants/switchboard.service; do
  [ ! -e "$f" ] && [ ! -L "$f" ] || die "$f is still there after dpkg --purge"
done
ok "dpkg --purge: the package's files, /etc/switchboard and the enable link are gone"
ok "all checks passed in $(($(date +%s) - start)) s"
