import { InvalidArgumentError } from '@corral/core';
import type { OciCapabilities } from './types.js';

/** Linux capabilities by number (capability.h); the host may know fewer. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

/** podman's default_capabilities (containers.conf, podman 4). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
];

/** "net_admin", "NET_ADMIN", "CAP_NET_ADMIN" -> "CAP_NET_ADMIN"; "all" -> "ALL". */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!(ALL_CAPABILITIES as readonly string[]).includes(full)) {
    throw new InvalidArgumentError(`unknown capability "${name}"`, { details: { capability: name } });
  }
  return full;
}

/**
 * The capability sets: podman's defaults with cap-add/cap-drop applied ("ALL" works in
 * either), or every capability the host knows when privileged. A non-root process
 * keeps the bounding set but starts with only what was added explicitly, as podman does.
 */
export function buildCapabilities(
  opts: { capAdd: string[]; capDrop: string[]; privileged: boolean; uid: number },
  lastCap: number,
): OciCapabilities {
  const known = ALL_CAPABILITIES.slice(0, lastCap + 1) as string[];
  const add = opts.capAdd.map(normalizeCapability);
  const drop = opts.capDrop.map(normalizeCapability);
  let caps: string[];
  if (opts.privileged) {
    caps = [...known];
  } else {
    const set = new Set(add.includes('ALL') ? known : DEFAULT_CAPABILITIES);
    for (const c of add) if (c !== 'ALL') set.add(c);
    if (drop.includes('ALL')) set.clear();
    for (const c of drop) set.delete(c);
    // An explicit add wins over a drop of ALL.
    if (drop.includes('ALL')) for (const c of add) if (c !== 'ALL') set.add(c);
    caps = known.filter((c) => set.has(c));
  }
  const running = opts.uid === 0 || opts.privileged ? caps : caps.filter((c) => add.includes(c) || add.includes('ALL'));
  return { bounding: caps, effective: running, permitted: running, inheritable: [], ambient: opts.uid === 0 ? [] : running };
}
