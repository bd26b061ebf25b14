import { readdirSync, readFileSync } from 'node:fs';

/** True while `pid` runs; a zombie counts as dead (PID 1 here may reap late). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * True when `pid` is a process of ours: its command line names `program` (any when
 * empty) and carries `marker` (a bundle path) as an argument. Guards against
 * signalling a recycled pid.
 */
export function isOurProcess(pid: number, program: string, marker: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return (program === '' || (argv[0] ?? '').endsWith(program)) && argv.includes(marker);
  } catch {
    return false;
  }
}

export function killQuietly(pid: number, signal: NodeJS.Signals | number): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Reads a pid file; 0 when absent or unreadable. */
export function readPidFile(path: string): number {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

/** Every live process whose command line names `program` (any when empty) and carries `marker`. */
export function findOurProcesses(program: string, marker: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => pid !== process.pid && isOurProcess(pid, program, marker));
}

/** SIGKILLs the processes and waits (bounded) until they are gone. */
export async function killAndWait(pids: Iterable<number>, timeoutMs = 5000): Promise<number[]> {
  const list = [...pids];
  for (const pid of list) killQuietly(pid, 'SIGKILL');
  const deadline = Date.now() + timeoutMs;
  let alive = list.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    alive = alive.filter(isAlive);
  }
  return alive;
}
