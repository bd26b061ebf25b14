// Tidying up after tests that ran real containers under a private directory.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/**
 * conmon's exit commands (`corral container cleanup` on a test's root) may still run
 * after the containers are gone; removing the directory under them would let them
 * recreate it. Waits (bounded) until no other process names `dir` on its command line,
 * and throws when some still do at the deadline.
 */
export async function waitForProcessesUsing(dir: string, timeoutMs = 15_000): Promise<void> {
  if (!(await waitForNoProcess((cmdline) => cmdline.includes(dir), timeoutMs))) {
    throw new Error(`processes still use ${dir} after ${timeoutMs} ms`);
  }
}

/**
 * Waits (bounded) until no other process's command line (arguments joined by NUL, as
 * /proc gives it) matches; true when none is left, false at the deadline.
 */
export async function waitForNoProcess(matches: (cmdline: string) => boolean, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await pidsMatching(matches)).size === 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The pids, other than this process, whose command line (arguments joined by NUL) matches. */
export async function pidsMatching(matches: (cmdline: string) => boolean): Promise<Set<number>> {
  const out = new Set<number>();
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    if (matches(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''))) out.add(Number(pid));
  }
  return out;
}

/**
 * Lazily unmounts everything mounted at or below `dir`, deepest first, and throws when
 * something is still mounted there afterwards (a caller would remove a live mount's files).
 */
export function unmountUnder(dir: string): void {
  for (const p of mountsUnder(dir)) {
    try {
      execFileSync('umount', ['-l', p], { stdio: 'ignore' });
    } catch {
      // judged below: a stacked mount can go with the one above it
    }
  }
  const left = mountsUnder(dir);
  if (left.length > 0) throw new Error(`still mounted under ${dir}: ${left.join(', ')}`);
}

function mountsUnder(dir: string): string[] {
  const unescape = (p: string) => p.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(unescape)
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}
