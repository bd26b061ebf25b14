#!/usr/bin/env bash
# Sets up a fresh machine for Corral: host packages, npm packages, the `corral`
# command on PATH, and a busybox image (built from Debian's busybox-static) in the
# default store. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-host.sh
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
node tools/build-cli.mjs
ln -sf "$PWD/packages/cli/dist/corral" /usr/local/bin/corral
if ! corral inspect --type image busybox >/dev/null 2>&1; then
  tar=$(mktemp --suffix=.tar)
  trap 'rm -f "$tar"' EXIT
  tools/images/busybox-rootfs.sh --tar "$tar"
  corral import --quiet "$tar" busybox >/dev/null
fi
