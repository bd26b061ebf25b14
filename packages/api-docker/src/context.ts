import type { AttachStreams, Engine, Logger, TerminalSize } from '@corral/core';

/** An attach that arrived before its container runs: it is joined to the next start. */
export interface PendingAttach {
  streams: AttachStreams;
  signal: AbortSignal;
  /** The sequence on stdin that ends this attach and leaves the container running ('' for none). */
  detachKeys: string;
  /** Ends the client's connection. */
  finish(): void;
}

/** What the handlers share: the engine and the service's in-memory coordination. */
export interface ApiContext {
  readonly engine: Engine;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  readonly lifecycle: LifecycleHub;
  readonly attaches: AttachRegistry;
  /**
   * HostConfig.ConsoleSize by container id: a TTY gets its size between init and
   * start, so that the first thing the process reads is right (`stty size`).
   */
  readonly consoleSizes: Map<string, TerminalSize>;
  /** Aborted when the service closes; background work (auto-remove) stops then. */
  readonly closing: AbortSignal;
}

/**
 * Wakes waiters when this service starts or removes a container, so that `wait`
 * does not have to poll for what happened here; changes made by other processes are
 * still found by the waiters' periodic check.
 */
export class LifecycleHub {
  private readonly waiters = new Map<string, Set<() => void>>();

  notify(id: string): void {
    const set = this.waiters.get(id);
    this.waiters.delete(id);
    for (const wake of set ?? []) wake();
  }

  /** Resolves on the next notify for `id`, after `ms`, or on abort. */
  next(id: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** Attaches waiting for their container's start, by container id. */
export class AttachRegistry {
  private readonly pending = new Map<string, PendingAttach[]>();

  add(id: string, attach: PendingAttach): void {
    const list = this.pending.get(id) ?? [];
    list.push(attach);
    this.pending.set(id, list);
    attach.signal.addEventListener(
      'abort',
      () => {
        const rest = (this.pending.get(id) ?? []).filter((a) => a !== attach);
        if (rest.length) this.pending.set(id, rest);
        else this.pending.delete(id);
      },
      { once: true },
    );
  }

  /** Takes the live pending attaches of `id` (those whose clients are still there). */
  take(id: string): PendingAttach[] {
    const list = (this.pending.get(id) ?? []).filter((a) => !a.signal.aborted);
    this.pending.delete(id);
    return list;
  }

  /** Ends every pending attach of `id` (its container was removed). */
  drop(id: string): void {
    for (const a of this.take(id)) a.finish();
  }
}
