import { existsSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';

export interface ExitRecord {
  code: number;
  /** When conmon wrote the file (its mtime), ISO 8601. */
  at: string;
}

/** conmon's exit file: the exit code as text (128+N after signal N). */
export function readExitFile(path: string): ExitRecord | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (text === '') return undefined;
    const code = Number(text);
    if (!Number.isInteger(code)) return undefined;
    return { code, at: statSync(path).mtime.toISOString() };
  } catch {
    return undefined;
  }
}

export interface WaitFileOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * False once the monitor is gone: the file will then never come. Checked on a slow
   * timer because a dead process cannot be watched from an unrelated one; the exit
   * itself is noticed through inotify at once.
   */
  monitorAlive?: () => boolean;
  monitorCheckMs?: number;
}

/**
 * Resolves 'exited' once `file` exists in `dir` (inotify on the directory, no polling),
 * when the directory goes away (the container was deleted) or the monitor died;
 * 'timeout' after timeoutMs or when the signal aborts.
 */
export function waitForFile(dir: string, file: string, opts: WaitFileOptions = {}): Promise<'exited' | 'timeout'> {
  const path = `${dir}/${file}`;
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    let monitor: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (r: 'exited' | 'timeout') => {
      if (settled) return;
      settled = true;
      watcher?.close();
      if (timer) clearTimeout(timer);
      if (monitor) clearInterval(monitor);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const check = () => {
      if (existsSync(path) || !existsSync(dir)) finish('exited');
    };
    const onAbort = () => finish('timeout');
    if (opts.signal?.aborted) return finish('timeout');
    try {
      watcher = watch(dir, { persistent: true }, () => check());
      watcher.on('error', () => check());
    } catch {
      return finish('exited');
    }
    check();
    if (settled) return;
    if (opts.timeoutMs !== undefined) timer = setTimeout(() => finish('timeout'), Math.max(0, opts.timeoutMs));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.monitorAlive) {
      const alive = opts.monitorAlive;
      monitor = setInterval(() => {
        if (!alive()) {
          // conmon writes the file just before it exits: look once more.
          check();
          if (!settled) finish('exited');
        }
      }, opts.monitorCheckMs ?? 1000);
    }
  });
}
