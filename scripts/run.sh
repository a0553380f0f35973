#!/usr/bin/env bash
# Installs what is missing, builds, and runs the switchboard server on port 3000.
# Extra arguments go to the server (see: build/switchboard --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/build.sh build
exec build/switchboard "$@"
