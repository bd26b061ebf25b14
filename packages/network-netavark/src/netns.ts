import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { RuntimeError } from '@corral/core';
import { run } from './exec.js';

/**
 * Network namespaces kept alive as bind mounts of nsfs on files, the way `ip netns add`
 * does under /run/netns, but in our own run directory so nothing of podman's or the
 * host's is touched. `unshare --net=FILE` creates the namespace and mounts it in one
 * step; the namespace lives as long as the mount (or a process inside it).
 */

export async function createNetns(path: string): Promise<void> {
  // 'wx': a namespace file that is already there belongs to someone; the caller clears it.
  writeFileSync(path, '', { flag: 'wx', mode: 0o644 });
  const r = await run('unshare', [`--net=${path}`, 'true']);
  if (r.exitCode !== 0) {
    rmSync(path, { force: true });
    throw new RuntimeError(`cannot create the network namespace ${path}: ${r.stderr || `exit status ${r.exitCode}`}`, {
      details: { path },
    });
  }
}

/** True when `path` is a mount point (for our files: a live namespace). */
export async function isMounted(path: string): Promise<boolean> {
  return (await mountPoints()).has(path);
}

export async function mountPoints(): Promise<Set<string>> {
  // Synchronous, as the other small files here: a thread-pool hop costs more than the read.
  const info = readFileSync('/proc/self/mountinfo', 'utf8');
  const points = new Set<string>();
  for (const line of info.split('\n')) {
    const field = line.split(' ')[4];
    if (field) points.add(unescapeMountinfo(field));
  }
  return points;
}

/** Unmounts (lazily, so a process still inside keeps it until it exits) and unlinks. Idempotent. */
export async function removeNetns(path: string, mounted?: boolean): Promise<void> {
  if (mounted ?? (await isMounted(path))) {
    const r = await run('umount', ['-l', path]);
    if (r.exitCode !== 0 && (await isMounted(path))) {
      throw new RuntimeError(`cannot unmount the network namespace ${path}: ${r.stderr || `exit status ${r.exitCode}`}`, {
        details: { path },
      });
    }
  }
  rmSync(path, { force: true });
}

/**
 * Creates a veth pair for each named interface missing from the namespace, so netavark's
 * teardown (which insists on deleting the container's interfaces before it removes the
 * firewall rules and the bridge) can finish after the real interfaces vanished.
 */
export async function addStandInInterfaces(path: string, names: string[]): Promise<void> {
  const list = await run('nsenter', [`--net=${path}`, 'ip', '-o', 'link', 'show']);
  const present = new Set(
    list.stdout
      .split('\n')
      .map((l) => l.split(':')[1]?.trim().split('@')[0])
      .filter((n): n is string => !!n),
  );
  for (const [i, name] of names.entries()) {
    if (present.has(name)) continue;
    const r = await run('nsenter', [`--net=${path}`, 'ip', 'link', 'add', name, 'type', 'veth', 'peer', 'name', `standin${i}`]);
    if (r.exitCode !== 0) {
      throw new RuntimeError(`cannot create the stand-in interface ${name} in ${path}: ${r.stderr || `exit status ${r.exitCode}`}`);
    }
  }
}

function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
