import { readdirSync, readFileSync, rmdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { killQuietly } from './proc.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The directories of a cgroup path in every mounted hierarchy (v1 controllers, unified, v2). */
function cgroupDirs(cgroupPath: string): string[] {
  const rel = cgroupPath.replace(/^\/+/, '');
  const dirs: string[] = [];
  if (existsSync(join(CGROUP_ROOT, 'cgroup.controllers'))) return [join(CGROUP_ROOT, rel)];
  let entries: string[] = [];
  try {
    entries = readdirSync(CGROUP_ROOT);
  } catch {
    return [];
  }
  for (const e of entries) dirs.push(join(CGROUP_ROOT, e, rel));
  return dirs.filter((d) => existsSync(d));
}

/**
 * Removes what a runtime killed half-way may leave: processes still in the
 * container's cgroup and the cgroup directories. Retries while killed processes are
 * on their way out; returns the directories still there after that.
 */
export async function sweepCgroup(cgroupPath: string, attempts = 50): Promise<string[]> {
  let left = sweepOnce(cgroupPath);
  for (let i = 1; i < attempts && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
    left = sweepOnce(cgroupPath);
  }
  return left;
}

function sweepOnce(cgroupPath: string): string[] {
  const dirs = cgroupDirs(cgroupPath);
  for (const d of dirs) {
    try {
      for (const pid of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) killQuietly(Number(pid), 'SIGKILL');
    } catch {
      // Already removed.
    }
  }
  const left: string[] = [];
  for (const d of dirs) {
    try {
      rmdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') left.push(d);
    }
  }
  return left;
}
