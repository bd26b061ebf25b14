import { CorralError, ErrorCode, InvalidArgumentError, type LockManager, type Locker } from '@corral/core';

/** The same rules as the real lock manager: a name must be usable as one file name. */
function checkName(name: string): void {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\0]/.test(name)) {
    throw new InvalidArgumentError(`invalid lock name ${JSON.stringify(name)}`, { details: { lock: name } });
  }
}

interface Entry {
  holder: MemoryLocker | undefined;
  /** remove() came while the lock was held: forget the name once it is free. */
  removePending: boolean;
  /** Waiters in arrival order; unlock hands the lock to the first one directly. */
  queue: { locker: MemoryLocker; grant: () => void }[];
}

class MemoryLocker implements Locker {
  constructor(
    readonly name: string,
    private readonly manager: MemoryLockManager,
  ) {}

  lock(): Promise<void> {
    return this.manager.acquire(this);
  }

  async unlock(): Promise<void> {
    this.manager.release(this);
  }
}

/**
 * A LockManager in one process: an async mutex per name, granted in FIFO order.
 * Ownership belongs to the Locker handle: only the handle that holds a lock may
 * unlock it (LOCK_ERROR otherwise), and two concurrent lock() calls through one
 * handle exclude each other like calls through two handles.
 */
export class MemoryLockManager implements LockManager {
  readonly #entries = new Map<string, Entry>();

  locker(name: string): Locker {
    checkName(name);
    return new MemoryLocker(name, this);
  }

  /** As the real one: while the lock is held, removal waits for the unlock (and does not block). */
  async remove(name: string): Promise<void> {
    checkName(name);
    const entry = this.#entries.get(name);
    if (entry) entry.removePending = true;
  }

  /** Names with a holder or waiters (for tests). */
  get active(): string[] {
    return [...this.#entries.keys()];
  }

  /** @internal */
  acquire(locker: MemoryLocker): Promise<void> {
    let entry = this.#entries.get(locker.name);
    if (!entry) {
      entry = { holder: undefined, removePending: false, queue: [] };
      this.#entries.set(locker.name, entry);
    }
    if (entry.holder === undefined) {
      entry.holder = locker;
      return Promise.resolve();
    }
    const waiting = entry;
    return new Promise<void>((grant) => waiting.queue.push({ locker, grant }));
  }

  /** @internal */
  release(locker: MemoryLocker): void {
    const entry = this.#entries.get(locker.name);
    if (!entry || entry.holder === undefined) {
      throw new CorralError(ErrorCode.Lock, `lock "${locker.name}" is not held`, { details: { lock: locker.name } });
    }
    if (entry.holder !== locker) {
      throw new CorralError(ErrorCode.Lock, `lock "${locker.name}" is held by another locker`, {
        details: { lock: locker.name },
      });
    }
    const next = entry.queue.shift();
    if (next) {
      entry.holder = next.locker;
      next.grant();
    } else {
      this.#entries.delete(locker.name);
    }
  }
}
