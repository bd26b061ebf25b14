#!/usr/bin/env bash
# Builds a minimal root filesystem from Debian's busybox-static: /bin/busybox, a
# symlink per applet, /etc/passwd and /etc/group with root, nobody and a test user.
# Usage: busybox-rootfs.sh DIR          (a directory)
#        busybox-rootfs.sh --tar FILE   (a tarball of that directory)
set -euo pipefail
BUSYBOX=${BUSYBOX:-/bin/busybox}
[[ -x $BUSYBOX ]] || { echo "busybox-static is not installed ($BUSYBOX missing)" >&2; exit 1; }

make_tree() {
  local root=$1
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home/user,proc,sys,dev,var,run}
  chmod 1777 "$root/tmp"
  cp "$BUSYBOX" "$root/bin/busybox"
  local applet
  for applet in $("$BUSYBOX" --list); do
    [[ $applet == busybox ]] && continue
    [[ -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
  done
  cat > "$root/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
  cat > "$root/etc/group" <<'GR'
root:x:0:
user:x:1000:
nogroup:x:65534:
GR
  chown 1000:1000 "$root/home/user"
}

if [[ ${1:-} == --tar ]]; then
  out=${2:?usage: busybox-rootfs.sh --tar FILE}
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  make_tree "$tmp/rootfs"
  tar --numeric-owner -C "$tmp/rootfs" -cf "$out" .
else
  make_tree "${1:?usage: busybox-rootfs.sh DIR | --tar FILE}"
fi
