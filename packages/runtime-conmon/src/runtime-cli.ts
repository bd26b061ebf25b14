import { childProcess } from '@corral/core/lazy-builtin';
import { RuntimeError } from '@corral/core';
import type { ResolvedRuntime } from './runtimes.js';

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs `runtime <global flags> <args>`; never throws for a non-zero exit. Plain
 * execFile rather than execa: execa costs ~100 ms to import here, and the exit
 * command's cleanup (a fresh process per container exit) comes through this path.
 */
export function runRuntime(rt: Pick<ResolvedRuntime, 'path' | 'globalArgs'>, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = childProcess().execFile(rt.path, [...rt.globalArgs, ...args], { encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const { code, signal } = (err ?? {}) as { code?: unknown; signal?: string | null };
      if (err && typeof code !== 'number' && !signal) {
        // Not an exit status: the program could not be started at all (ENOENT, EACCES).
        reject(new RuntimeError(`cannot run ${rt.path}: ${err.message}`, { cause: err }));
        return;
      }
      const exitCode = !err ? 0 : typeof code === 'number' ? code : -1;
      resolve({ stdout: stdout.trimEnd(), stderr: (stderr.trimEnd() || (signal ? `killed by ${signal}` : '')), exitCode });
    });
    child.stdin?.end();
  });
}

/** Runs the runtime and throws a RuntimeError naming the operation and container on failure. */
export async function runRuntimeChecked(rt: ResolvedRuntime, op: string, id: string, args: string[]): Promise<string> {
  const r = await runRuntime(rt, args);
  if (r.exitCode !== 0) {
    throw new RuntimeError(`${rt.name} ${op} of container ${id} failed: ${runtimeMessage(r.stderr) || `exit status ${r.exitCode}`}`, {
      details: { id, runtime: rt.name, op, exitCode: r.exitCode },
    });
  }
  return r.stdout;
}

/** runc logs `time=... level=error msg="..."`: keep the message. */
export function runtimeMessage(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const msgs = lines.map((l) => {
    const m = /msg="((?:[^"\\]|\\.)*)"/.exec(l);
    return m ? m[1]!.replace(/\\(.)/g, '$1') : l;
  });
  return msgs.join('; ');
}

/** The runtime says the container is not there (runc, runsc, crun wordings). */
export function isNotExist(message: string): boolean {
  return /does not exist|not exist|no such container|not found/i.test(message);
}
