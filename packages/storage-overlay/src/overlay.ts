import { readFileSync } from 'node:fs';
import { RuntimeError } from '@corral/core';
import { childProcess } from '@corral/core/lazy-builtin';

/**
 * mount(8)/umount(8), synchronously. node's own child_process, not execa: these run on
 * every start and cleanup, and loading execa costs more than the mount itself. The
 * error carries stderr without its final newline, as execa's did.
 */
function run(file: string, args: string[], cwd?: string): void {
  try {
    childProcess().execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: unknown };
    if (typeof e.stderr === 'string') e.stderr = e.stderr.replace(/\r?\n$/, '');
    throw err;
  }
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** True when something is mounted exactly at `path` in this mount namespace. */
export function isMounted(path: string): boolean {
  const info = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const line of info.split('\n')) {
    const field = line.split(' ')[4];
    if (field !== undefined && unescapeMountPath(field) === path) return true;
  }
  return false;
}

/** Mount options beyond this (one page) make mount(2) fail with EINVAL. */
export const MAX_MOUNT_DATA = 4095;

/**
 * Mounts an overlay. Lower dirs are given relative to `layersDir` (short
 * symlink names under l/), and mount(8) runs with that as its working directory,
 * which keeps the option string within a page for up to ~130 layers.
 */
export function mountOverlay(opts: { layersDir: string; lowers: string[]; upper: string; work: string; target: string }): void {
  const data = `lowerdir=${opts.lowers.join(':')},upperdir=${opts.upper},workdir=${opts.work},redirect_dir=off,metacopy=off`;
  if (data.length > MAX_MOUNT_DATA) {
    throw new RuntimeError(`overlay mount of ${opts.target}: ${opts.lowers.length} layers make the mount options ${data.length} bytes, over the ${MAX_MOUNT_DATA}-byte limit`);
  }
  try {
    run('mount', ['-t', 'overlay', 'overlay', '-o', data, opts.target], opts.layersDir);
  } catch (err) {
    throw new RuntimeError(`overlay mount of ${opts.target} failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`, { cause: err });
  }
}

export function unmountPath(target: string): void {
  try {
    run('umount', [target]);
  } catch (err) {
    if (!isMounted(target)) return;
    throw new RuntimeError(`unmounting ${target} failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`, { cause: err });
  }
}
