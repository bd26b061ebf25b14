#!/usr/bin/env bash
# Installs the host components Corral's plugins and tests use (Debian bookworm).
# Idempotent: does nothing when everything is present.
set -euo pipefail
PACKAGES=(runc conmon crun runsc busybox-static podman netavark aardvark-dns iptables iproute2 zstd uidmap tmux)
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
# podman is the reference the tests and benchmarks compare against. On these hosts it
# needs: no default nofile ulimit (1048576 exceeds the hard limit), runc rather than
# crun (crun refuses hybrid cgroups), and netavark rather than CNI (no CNI plugins).
conf=/etc/containers/containers.conf
if [[ -d /etc/containers ]] && ! grep -qs 'corral: podman reference settings' "$conf"; then
  [[ -f $conf ]] && cp "$conf" "$conf.corral-backup"
  cat > "$conf" <<'CONF'
# corral: podman reference settings
[containers]
default_ulimits = []
[engine]
runtime = "runc"
[network]
network_backend = "netavark"
CONF
fi
bash "$(dirname "$0")/setup-criu.sh"
