import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const BUSYBOX = '/bin/busybox';

/**
 * A busybox shell counting into `dir/count` ten times a second, in its own session with
 * its stdio on files: a process tree CRIU can dump without --shell-job.
 */
export function startCounter(dir: string): { pid: number; child: ChildProcess; countFile: string; exited: Promise<void> } {
  const countFile = join(dir, 'count');
  const out = openSync(join(dir, 'counter.out'), 'w');
  const child = spawn(BUSYBOX, ['sh', '-c', `i=0; while :; do i=$((i+1)); echo $i > ${countFile}; sleep 0.1; done`], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { pid: child.pid!, child, countFile, exited };
}

export async function readCount(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const n = Number.parseInt(text.trim(), 10);
  return Number.isFinite(n) ? n : 0;
}

/** Waits until the counter passes `value`; returns the value seen. */
export async function waitCountAbove(file: string, value: number, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await readCount(file);
    if (n > value) return n;
    if (Date.now() > deadline) throw new Error(`counter in ${file} stayed at ${n}, not above ${value}, for ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills a process we restored (by its pid from CRIU's pidfile) after checking it is ours. */
export async function killRestored(pid: number, countFile: string): Promise<void> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes(countFile)) return;
  // Its own session and group (it was dumped as one): the group holds its `sleep` too.
  process.kill(-pid, 'SIGKILL');
}

/** Pids of every process (zombies included) in session `sid`. */
export async function sessionPids(sid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[3]) === sid) pids.push(Number(name));
  }
  return pids;
}

/**
 * After a dump, the tree's children are orphans: zombies of PID 1 until it reaps them
 * (this machine's init does so only now and then). CRIU restores every task under its
 * old pid, so it must wait until all of them are gone.
 */
export async function waitSessionGone(sid: number, timeoutMs = 30_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    const left = await sessionPids(sid);
    if (left.length === 0) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`processes ${left.join(', ')} of session ${sid} still exist after ${timeoutMs} ms`);
    await sleep(50);
  }
}
