#!/usr/bin/env bash
# Installs CRIU 4.2 from Debian (forky, the current testing suite) into a private prefix,
# without touching the system's packages or its apt configuration.
#
# Why not the system's CRIU: bookworm's criu 3.17 fails on these kernels ("vdso: Failed to
# fill self vdso symtable"). Why not trixie's 4.1.1, which passes `criu check`: kernels
# from 6.16 on refuse SO_PASSCRED/SO_PASSSEC on inet sockets, and CRIU before 4.2 then
# fails to dump any process holding a TCP or UDP socket ("sockets: Can't get 1:16 opt:
# Operation not supported", checkpoint-restore/criu#2705) -- every networked container,
# and all of TCPEstablished. CORRAL_CRIU_SUITE=trixie still installs 4.1.1.
#
# The binary needs its suite's glibc, so it runs through that suite's own dynamic loader
# with the prefix's libraries (a wrapper at $PREFIX/bin/criu). The wrapper passes the
# library path on the loader's command line, not through LD_LIBRARY_PATH, so the programs
# CRIU runs (iptables-restore, ip, action scripts) keep using the system's libraries.
#
# apt runs with a private configuration (sources, lists, cache in a temporary directory)
# listing only that suite: the system's sources, pins and lists stay as they were, and no
# later `apt-get upgrade` can pull a package of that suite into the system.
#
# Usage: setup-criu.sh [--force]
#   env: CORRAL_CRIU_PREFIX (default /opt/corral/criu), CORRAL_CRIU_SUITE (default forky),
#        CORRAL_DEBIAN_MIRROR (default: the mirror the machine's sources use)
# Idempotent: does nothing when the prefix already holds a working CRIU of the wanted suite.
set -euo pipefail

PREFIX=${CORRAL_CRIU_PREFIX:-/opt/corral/criu}
SUITE=${CORRAL_CRIU_SUITE:-forky}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
STAMP=$PREFIX/.corral-criu
force=0
[[ ${1:-} == --force ]] && force=1

log() { echo "setup-criu: $*" >&2; }
die() { log "$*"; exit 1; }

[[ $(id -u) == 0 ]] || die "must run as root"

if ((!force)) && [[ -x $PREFIX/bin/criu && -f $STAMP ]] && grep -qx "suite=$SUITE" "$STAMP" \
  && "$PREFIX/bin/criu" --version >/dev/null 2>&1; then
  log "CRIU already installed in $PREFIX ($("$PREFIX/bin/criu" --version | head -1))"
  exit 0
fi

# The Debian mirror the machine already uses (only Debian's archive is reachable here):
# the first URI serving a plain "<codename>" suite, in deb822 or one-line sources.
mirror_host() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    uri=$(awk '
      /^[[:space:]]*$/ { if (u != "" && s) { print u; exit } u = ""; s = 0; next }
      /^URIs:/ { u = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+$/) s = 1 }
      END { if (u != "" && s) print u }' "$f" | grep -v -e security -e nodesource -e google | head -1)
    [[ -n $uri ]] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    uri=$(awk '$1 == "deb" && $3 ~ /^[a-z]+$/ && $2 ~ /debian\/?$/ { print $2; exit }' "$f" | grep -v security | head -1)
    [[ -n $uri ]] && { echo "$uri"; return; }
  done
  echo http://deb.debian.org/debian
}

MIRROR=${CORRAL_DEBIAN_MIRROR:-$(mirror_host)}
ARCH=$(dpkg --print-architecture)
[[ -f $KEYRING ]] || die "$KEYRING is missing (package debian-archive-keyring)"

work=$(mktemp -d /tmp/corral-criu.XXXXXX)
trap 'rm -rf "$work"' EXIT
# apt's download sandbox user (_apt) must be able to write the download directory.
chmod 755 "$work"
mkdir -p "$work/sources" "$work/prefs" "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/root"
cat > "$work/sources/$SUITE.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE
Components: main
Signed-By: $KEYRING
EOF
APT_OPTS=(
  -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/sources"
  -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$work/prefs"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
  -o "APT::Architecture=$ARCH" -o "APT::Architectures=$ARCH"
  -o "Debug::NoLocking=1" -q
)
log "fetching the $SUITE package index from $MIRROR"
apt-get "${APT_OPTS[@]}" update >/dev/null

# criu and the transitive closure of what it depends on (Recommends such as iproute2
# and python3-pycriu are not needed by the binary).
mapfile -t pkgs < <(apt-cache "${APT_OPTS[@]}" depends --recurse --no-recommends --no-suggests \
  --no-conflicts --no-breaks --no-replaces --no-enhances criu | grep -E '^[a-z0-9]' | sort -u)
((${#pkgs[@]})) || die "apt-cache found no dependencies for criu in $SUITE"
log "downloading ${pkgs[*]}"
(cd "$work/debs" && apt-get "${APT_OPTS[@]}" download "${pkgs[@]}" >/dev/null 2>&1) \
  || die "apt-get download failed for: ${pkgs[*]}"
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done

root=$work/root
[[ -x $root/usr/sbin/criu ]] || die "the criu package holds no usr/sbin/criu"
loader_rel=$(cd "$root" && find . -name 'ld-linux*.so*' -type f | sed 's|^\./||' | sort | head -1)
[[ -n $loader_rel ]] || die "no dynamic loader found in $SUITE's libc6"
# Every directory of the prefix holding shared libraries, in a stable order.
libdirs=$(cd "$root" && find . -name '*.so*' \( -type f -o -type l \) -printf '%h\n' | grep -v -e /gconv -e /compel \
  | sed 's|^\./||' | sort -u)

mkdir -p "$root/bin"
libpath=""
for d in $libdirs; do libpath+="${libpath:+:}$PREFIX/$d"; done
cat > "$root/bin/criu" <<EOF
#!/bin/sh
# CRIU $SUITE (Debian) run through its own loader and libraries; written by tools/setup-criu.sh.
# --inhibit-cache: never fall back to the system's ld.so.cache (bookworm's libraries).
exec "$PREFIX/$loader_rel" --inhibit-cache --library-path "$libpath" --argv0 "\$0" "$PREFIX/usr/sbin/criu" "\$@"
EOF
chmod 755 "$root/bin/criu"
printf 'suite=%s\nmirror=%s\npackages=%s\n' "$SUITE" "$MIRROR" "${pkgs[*]}" > "$root/.corral-criu"

# Swap the new tree in whole, so a failed run never leaves a half-written prefix.
mkdir -p "$(dirname "$PREFIX")"
staging=$PREFIX.new.$$
rm -rf "$staging"
cp -a "$root" "$staging"
if [[ -e $PREFIX ]]; then
  mv "$PREFIX" "$PREFIX.old.$$"
  mv "$staging" "$PREFIX"
  rm -rf "$PREFIX.old.$$"
else
  mv "$staging" "$PREFIX"
fi

version=$("$PREFIX/bin/criu" --version | head -1) || die "$PREFIX/bin/criu does not run"
log "installed CRIU ($version) in $PREFIX"
if out=$("$PREFIX/bin/criu" check 2>&1); then
  log "criu check: $(echo "$out" | tail -1)"
else
  log "warning: criu check failed on this kernel:"
  echo "$out" | tail -5 >&2
  exit 2
fi
