#!/usr/bin/env bash
# Installs the host components Corral's plugins and tests use (Debian bookworm).
# Idempotent: does nothing when everything is present.
set -euo pipefail
PACKAGES=(runc conmon crun runsc busybox-static podman netavark aardvark-dns iptables iproute2 zstd uidmap)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-host: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# podman's default nofile ulimit (1048576) exceeds these machines' hard limit.
if [[ -d /etc/containers ]] && ! grep -qs 'default_ulimits' /etc/containers/containers.conf; then
  printf '[containers]\ndefault_ulimits = []\n' >> /etc/containers/containers.conf
fi
