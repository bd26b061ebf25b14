// Tidying up after tests that ran real containers under a private directory.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/**
 * conmon's exit commands (`corral container cleanup` on a test's root) may still run
 * after the containers are gone; removing the directory under them would let them
 * recreate it. Waits (bounded) until no other process names `dir` on its command line.
 */
export async function waitForProcessesUsing(dir: string, timeoutMs = 15_000): Promise<void> {
  await waitForNoProcess((cmdline) => cmdline.includes(dir), timeoutMs);
}

/**
 * Waits (bounded) until no other process's command line (arguments joined by NUL, as
 * /proc gives it) matches; true when none is left, false at the deadline.
 */
export async function waitForNoProcess(matches: (cmdline: string) => boolean, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let busy = false;
    for (const pid of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
      if (matches(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''))) {
        busy = true;
        break;
      }
    }
    if (!busy) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Lazily unmounts everything mounted at or below `dir`, deepest first. */
export function unmountUnder(dir: string): void {
  const unescape = (p: string) => p.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(unescape)
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) {
    try {
      execFileSync('umount', ['-l', p], { stdio: 'ignore' });
    } catch {
      // gone with its parent already
    }
  }
}
