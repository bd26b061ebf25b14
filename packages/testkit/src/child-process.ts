// Child processes for tests that need real concurrency (locks, databases, event logs).
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

/** Starts a TypeScript script under tsx, with stdout and stderr piped. */
export function spawnTsx(script: string, args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects a child's output and resolves with its exit code when it ends. */
export function finished(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves once the child has written `marker` on stdout. */
export function waitForOutput(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString('utf8');
      if (seen.includes(marker)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.on('close', (code) => reject(new Error(`child exited (${code}) before writing "${marker}"`)));
  });
}

export interface CommandResult {
  /** The exit code; 128 + the signal's number when a signal ended the process (137: the timeout's SIGKILL). */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end with stdin given (or closed at once), output collected,
 * and a SIGKILL after `timeoutMs` (default 30 s).
 */
export async function runCommand(
  file: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  child.stdin.on('error', () => {}); // a child that exits without reading its stdin
  child.stdin.end(options.input ?? '');
  try {
    const r = await finished(child);
    // Killed by a signal: 128 + its number, as a shell reports it (137 for the timeout's SIGKILL).
    const code = r.code ?? (r.signal ? 128 + (constants.signals[r.signal]) : -1);
    return { code, stdout: r.stdout, stderr: r.stderr };
  } finally {
    clearTimeout(timer);
  }
}
