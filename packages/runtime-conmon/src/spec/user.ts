import { readFileSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { InvalidArgumentError } from '@corral/core';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** The home directory from /etc/passwd; "/" when the user has no entry. */
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/**
 * Resolves "user", "uid", "user:group", "uid:gid" (or "" for root) against the
 * rootfs's /etc/passwd and /etc/group, as the runtime will see them. Supplementary
 * groups come from the user's memberships in /etc/group.
 */
export function resolveUser(rootfs: string, spec: string, what: string): ResolvedUser {
  const [userPart = '', groupPart] = spec.split(':', 2) as [string, string | undefined];
  const passwd = parsePasswd(readInRoot(rootfs, 'etc/passwd'));
  const groups = parseGroup(readInRoot(rootfs, 'etc/group'));

  let entry: PasswdEntry | undefined;
  let uid: number;
  if (userPart === '') {
    uid = 0;
    entry = passwd.find((p) => p.uid === 0);
  } else if (/^\d+$/.test(userPart)) {
    uid = checkIdNumber(Number(userPart), `user "${userPart}"`, what);
    entry = passwd.find((p) => p.uid === uid);
  } else {
    entry = passwd.find((p) => p.name === userPart);
    if (!entry) throw new InvalidArgumentError(`${what}: user "${userPart}" not found in the container's /etc/passwd`, { details: { user: spec } });
    uid = entry.uid;
  }

  let gid: number;
  if (groupPart === undefined || groupPart === '') {
    gid = entry?.gid ?? 0;
  } else if (/^\d+$/.test(groupPart)) {
    gid = checkIdNumber(Number(groupPart), `group "${groupPart}"`, what);
  } else {
    const group = groups.find((g) => g.name === groupPart);
    if (!group) throw new InvalidArgumentError(`${what}: group "${groupPart}" not found in the container's /etc/group`, { details: { user: spec } });
    gid = group.gid;
  }

  // As with podman: a non-root user also holds its primary group as a supplementary
  // one (`id` prints groups=GID), root only the groups that list it.
  const supplementary = entry ? groups.filter((g) => g.members.includes(entry.name)).map((g) => g.gid) : [];
  const additionalGids = [...new Set(uid === 0 ? supplementary.filter((g) => g !== gid) : [gid, ...supplementary])];
  return { uid, gid, additionalGids, home: entry?.home || '/' };
}

function checkIdNumber(n: number, label: string, what: string): number {
  if (!Number.isSafeInteger(n) || n > 0xfffffffe) throw new InvalidArgumentError(`${what}: ${label} is out of range`);
  return n;
}

/**
 * Reads a file of the rootfs without following a symlink out of it: the image is
 * untrusted, and its /etc/passwd could point at the host's files.
 */
function readInRoot(rootfs: string, rel: string): string {
  try {
    const root = realpathSync(rootfs);
    const real = realpathSync(join(root, rel));
    if (!real.startsWith(root + sep)) return '';
    return readFileSync(real, 'utf8');
  } catch {
    return '';
  }
}

function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || line.startsWith('#')) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    out.push({ name: f[0]!, uid, gid, home: f[5]! });
  }
  return out;
}

function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#')) continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid)) continue;
    out.push({ name: f[0]!, gid, members: f[3]!.split(',').filter(Boolean) });
  }
  return out;
}
