#!/usr/bin/env bash
# Docker's own daemon (Debian's docker.io 20.10) on a private socket, as the benchmarks'
# reference: its own data, exec and containerd roots under one directory, no iptables or
# ip6tables rules, no bridge, no ip_forward change, its own cgroup parent, a daemon.json
# of its own (not /etc/docker/), so it disturbs neither the host's networking nor other daemons.
#   dockerd.sh install        installs docker.io if dockerd is absent (services not started)
#   dockerd.sh start [DIR]    installs if needed, starts dockerd with its managed containerd
#                             in DIR (default: a new /tmp/corral-dockerd.XXXXXX), waits until
#                             `docker version` answers, imports busybox from
#                             tools/images/busybox-rootfs.sh, prints DIR and, on the
#                             last line, the socket (unix://DIR/docker.sock)
#   dockerd.sh stop DIR       removes its containers, ends that dockerd and its containerd
#                             (by the pids they recorded in DIR, and only if their command
#                             lines name DIR), unmounts and removes DIR
# Runtime: /usr/sbin/runc (Debian's runc, the one corral uses) through containerd's runc v2 shim.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# The docker CLI in /usr/local/bin (28.x) stays first on PATH; docker.io's own is /usr/bin/docker.
DOCKER=${DOCKER:-docker}

log() { printf 'dockerd.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

install_docker() {
  if command -v dockerd >/dev/null && command -v containerd >/dev/null; then return 0; fi
  [[ $(id -u) == 0 ]] || die "dockerd is absent and installing docker.io needs root"
  # Simulate first: refuse if apt would remove or replace anything (runc, podman, ...).
  local sim
  sim=$(apt-get -s install -y --no-install-recommends docker.io 2>&1) || {
    apt-get update -qq >/dev/null
    sim=$(apt-get -s install -y --no-install-recommends docker.io 2>&1) || die "apt-get -s install docker.io failed: $sim"
  }
  if grep -qE '^(Remv|Purg) ' <<<"$sim" || grep -qE '^Inst (runc|podman|conmon|golang-github-containers-common|crun) ' <<<"$sim"; then
    die "installing docker.io would remove or replace packages corral uses:
$(grep -E '^(Inst|Remv|Purg) ' <<<"$sim")"
  fi
  # No init system here; keep the package's maintainer scripts from starting docker or
  # containerd (a system dockerd would create docker0 and iptables chains). A policy-rc.d
  # that says 101 may already exist; otherwise put one in place for the install only.
  local policy=/usr/sbin/policy-rc.d made_policy=
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
  fi
  local before after
  before=$({ pgrep -x dockerd; pgrep -x containerd; } || true)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io >&2 || {
    [[ -n $made_policy ]] && rm -f "$policy"
    die "apt-get install docker.io failed"
  }
  [[ -n $made_policy ]] && rm -f "$policy"
  # Anything the install started anyway is ended by its pid.
  after=$({ pgrep -x dockerd; pgrep -x containerd; } || true)
  local pid
  for pid in $after; do
    grep -qx "$pid" <<<"$before" && continue
    log "ending $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null) (pid $pid), started by the package install"
    kill "$pid" 2>/dev/null || true
  done
}

# The pid recorded in FILE, if that process is alive and its command line names DIR.
owned_pid() {
  local file=$1 dir=$2 pid
  [[ -s $file ]] || return 1
  pid=$(tr -dc 0-9 <"$file")
  [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir" || return 1
  echo "$pid"
}

end_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "pid $pid did not end on SIGTERM; SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

cgroup_parent() { echo "corral-bench-dockerd-$(basename "$1")"; }

start() {
  install_docker
  local dir=${1:-}
  if [[ -z $dir ]]; then dir=$(mktemp -d /tmp/corral-dockerd.XXXXXX); else mkdir -p "$dir"; dir=$(cd "$dir" && pwd); fi
  [[ -e $dir/dockerd.pid ]] && owned_pid "$dir/dockerd.pid" "$dir" >/dev/null && die "a dockerd already runs in $dir"
  # dockerd 20.10 uses a system containerd if /run/containerd/containerd.sock answers;
  # only a managed one of its own is private.
  [[ -S /run/containerd/containerd.sock ]] && die "/run/containerd/containerd.sock exists: dockerd would use that containerd, not a private one"
  # Fixed paths it uses anyway: containerd's shims put sockets in /run/containerd/s, and
  # plugin discovery creates /run/docker/plugins. Removed at stop if absent now (and empty).
  [[ -d /run/containerd ]] || touch "$dir/.made-run-containerd"
  [[ -d /run/docker ]] || touch "$dir/.made-run-docker"
  mkdir -p "$dir/data" "$dir/exec" "$dir/docker-config"
  # Its own daemon.json (not /etc/docker's), which also keeps the trust key out of /etc/docker.
  printf '{"deprecated-key-path": "%s"}\n' "$dir/key.json" >"$dir/daemon.json"
  local sock=$dir/docker.sock
  # setsid: the daemon outlives this script and is not in the caller's process group.
  setsid dockerd \
    --host "unix://$sock" \
    --data-root "$dir/data" \
    --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" \
    --config-file "$dir/daemon.json" \
    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --bridge=none \
    --cgroup-parent "/$(cgroup_parent "$dir")" \
    --storage-driver overlay2 \
    --log-driver json-file \
    --group root \
    --userland-proxy=false \
    </dev/null >"$dir/dockerd.log" 2>&1 &
  local i
  for ((i = 0; i < 300; i++)); do
    if DOCKER_CONFIG=$dir/docker-config DOCKER_HOST=unix://$sock "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; then break; fi
    if ! kill -0 $! 2>/dev/null; then tail -20 "$dir/dockerd.log" >&2; stop "$dir"; die "dockerd exited while starting (log above)"; fi
    sleep 0.1
  done
  ((i < 300)) || { tail -20 "$dir/dockerd.log" >&2; stop "$dir"; die "dockerd did not answer in 30 s"; }
  # The same busybox image corral's benchmarks use.
  "$repo/tools/images/busybox-rootfs.sh" --tar "$dir/busybox.tar"
  DOCKER_CONFIG=$dir/docker-config DOCKER_HOST=unix://$sock "$DOCKER" import "$dir/busybox.tar" busybox >/dev/null
  rm -f "$dir/busybox.tar"
  echo "$dir"
  echo "unix://$sock"
}

stop() {
  local dir=${1:?usage: dockerd.sh stop DIR}
  [[ -d $dir ]] || return 0
  dir=$(cd "$dir" && pwd)
  [[ -e $dir/daemon.json ]] || die "$dir is not a directory dockerd.sh start made"
  local pid cpid
  if pid=$(owned_pid "$dir/dockerd.pid" "$dir"); then
    local ids
    ids=$(DOCKER_CONFIG=$dir/docker-config DOCKER_HOST=unix://$dir/docker.sock timeout 20 "$DOCKER" ps -aq 2>/dev/null || true)
    if [[ -n $ids ]]; then
      # shellcheck disable=SC2086
      DOCKER_CONFIG=$dir/docker-config DOCKER_HOST=unix://$dir/docker.sock timeout 60 "$DOCKER" rm -f $ids >/dev/null 2>&1 || true
    fi
    end_pid "$pid"
  fi
  # The managed containerd normally ends with dockerd; if dockerd died hard it may not have.
  if cpid=$(owned_pid "$dir/exec/containerd/containerd.pid" "$dir"); then end_pid "$cpid"; fi
  # Shims of that containerd (their command lines name its socket under DIR).
  local p
  for p in $(pgrep -f 'containerd-shim' || true); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$dir/" && end_pid "$p"
  done
  grep -F " $dir/" /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  [[ -e $dir/.made-run-containerd ]] && { rmdir /run/containerd/s /run/containerd 2>/dev/null || true; }
  [[ -e $dir/.made-run-docker ]] && { rmdir /run/docker/plugins /run/docker 2>/dev/null || true; }
  rm -rf "$dir"
  local cg
  cg=$(cgroup_parent "$dir")
  for p in /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/"$cg"; do
    [[ -d $p ]] && rmdir "$p" 2>/dev/null || true
  done
  return 0
}

case ${1:-} in
  install) install_docker ;;
  start) shift; start "${1:-}" ;;
  stop) shift; stop "${1:-}" ;;
  *) echo "usage: dockerd.sh install | start [DIR] | stop DIR" >&2; exit 2 ;;
esac
