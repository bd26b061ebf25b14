import { childProcess } from '@corral/core/lazy-builtin';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to completion and never rejects on its exit status. Plain spawn rather
 * than a process library: every container start and removal runs several of these, and
 * a wrapper's few milliseconds per call add up against netavark's own ~40 ms.
 */
export function run(file: string, args: readonly string[], input?: string): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = childProcess().spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => resolve({ exitCode: 127, stdout: '', stderr: `${file}: ${e.message}` }));
    child.on('close', (code, signal) =>
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8').trimEnd(),
        stderr: Buffer.concat(err).toString('utf8').trimEnd(),
      }),
    );
    if (input !== undefined) {
      // A program that exits without reading its stdin must not crash us with EPIPE.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(input);
    }
  });
}
