import fs from 'node:fs';

/**
 * Waits for "something in the log's directory may have changed": an inotify event
 * through fs.watch when available, else (and as a safety net) a short poll. Wake-ups
 * may be spurious; the caller just reads again.
 */
export class ChangeWaiter {
  readonly #pollMs: number;
  #watcher: fs.FSWatcher | undefined;
  #dirty = false;
  #wake: (() => void) | undefined;

  readonly #onRename: (() => void) | undefined;

  /** `onRename` runs whenever a file in the directory is created, renamed or removed. */
  constructor(dir: string, pollMs: number, onRename?: () => void) {
    this.#pollMs = pollMs;
    this.#onRename = onRename;
    try {
      this.#watcher = fs.watch(dir, { persistent: false }, (type) => this.#notify(type));
      this.#watcher.on('error', () => this.#closeWatcher());
    } catch {
      this.#watcher = undefined;
    }
  }

  /** Resolves on a change, after the poll interval, at `deadlineMs` or when `signal` aborts. */
  wait(signal: AbortSignal | undefined, deadlineMs?: number): Promise<void> {
    if (this.#dirty || signal?.aborted) {
      this.#dirty = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const ms = deadlineMs === undefined ? this.#pollMs : Math.max(0, Math.min(this.#pollMs, deadlineMs));
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#wake = undefined;
        this.#dirty = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }

  close(): void {
    this.#closeWatcher();
    this.#wake?.();
  }

  #notify(type: string): void {
    if (type === 'rename') this.#onRename?.();
    this.#dirty = true;
    this.#wake?.();
  }

  #closeWatcher(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
