import { closeSync, constants, fstatSync, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CorralError, ErrorCode, type LockManager, type Locker, type Logger } from '@corral/core';
import { tryLockExclusive, tryLockShared, unlockFile } from './flock.js';
import { checkLockName } from './names.js';

// Monotonic milliseconds. Not performance.now(): that global loads node:perf_hooks (~1 ms
// of every CLI start).
const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface FileLockManagerOptions {
  /** Where the lock files live; created when missing. One `<name>.lock` per name. */
  dir: string;
  logger?: Logger;
}

/** Waiting for another process is polling with LOCK_NB: 1, 2, 4, 4, ... ms (jittered). */
const POLL_MAX_MS = 4;
/**
 * How long this process may keep a lock that other processes wait for, while its own
 * operations pass it from one to the next, before it lets go for COURTESY_MS so that a
 * poller elsewhere can take it. Without this a busy process would starve the others.
 */
const FAIR_SLICE_MS = 20;
const COURTESY_MS = 2 * POLL_MAX_MS + 1;
/** Taking the lock again within this long after letting go counts as holding on. */
const RELOCK_MS = 2;

const OPEN_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW;

interface Waiter {
  locker: FileLocker;
  grant: () => void;
}

/** What this process knows about one name. */
interface Entry {
  /** The Locker whose turn it is in this process (it may still be polling for the file). */
  holder: FileLocker | undefined;
  queue: Waiter[];
  /** The descriptor holding flock(LOCK_EX) on the lock file; undefined when not held. */
  fd: number | undefined;
  /** When (monotonicMs()) this process last took the file lock; held without a break since then. */
  sliceStart: number;
  /** When this process last let go of the file lock. */
  releasedAt: number;
  /** Set when the next taker must wait first, so other processes get their turn. */
  yieldUntil: number;
  /** remove() was called while this process held the lock: the file goes at unlock. */
  removePending: boolean;
}

class FileLocker implements Locker {
  constructor(
    readonly name: string,
    private readonly manager: FileLockManager,
  ) {}

  lock(): Promise<void> {
    return this.manager.acquire(this);
  }

  async unlock(): Promise<void> {
    this.manager.release(this);
  }
}

/**
 * Locks as files under one directory, held with flock(2): the kernel drops a lock the
 * moment its holder dies, and there is no fixed number of them. Within this process an
 * async queue per name sits in front of the file, so concurrent operations exclude
 * each other too and at most one of them polls the file.
 *
 * Ownership belongs to the Locker handle: unlock() through a handle that does not hold
 * the lock fails with LOCK_ERROR and changes nothing.
 */
export class FileLockManager implements LockManager {
  readonly dir: string;
  readonly #entries = new Map<string, Entry>();
  readonly #logger: Logger | undefined;

  constructor(options: FileLockManagerOptions) {
    this.dir = options.dir;
    this.#logger = options.logger;
  }

  locker(name: string): Locker {
    checkLockName(name);
    return new FileLocker(name, this);
  }

  /**
   * Deletes the lock file, always while holding the lock, so that nobody can hold it
   * on a file that is gone. When this process holds it (the usual case: the container
   * is removed under its own lock), the file goes when it is unlocked; otherwise this
   * takes the lock, deletes, and lets go. A waiter elsewhere that opened the old file
   * notices it has no links left and opens the new one.
   */
  async remove(name: string): Promise<void> {
    checkLockName(name);
    const held = this.#entries.get(name);
    if (held?.holder !== undefined) {
      held.removePending = true;
      return;
    }
    const locker = new FileLocker(name, this);
    await this.acquire(locker);
    const entry = this.#entries.get(name)!;
    entry.removePending = false;
    try {
      this.#unlinkFiles(name);
    } finally {
      this.#closeFile(entry);
      this.#passTurnOrForget(entry, name);
    }
  }

  /** @internal */
  async acquire(locker: FileLocker): Promise<void> {
    let entry = this.#entries.get(locker.name);
    if (!entry) {
      entry = {
        holder: undefined,
        queue: [],
        fd: undefined,
        sliceStart: -Infinity,
        releasedAt: -Infinity,
        yieldUntil: 0,
        removePending: false,
      };
      this.#entries.set(locker.name, entry);
    }
    if (entry.holder === undefined) {
      entry.holder = locker;
    } else {
      const waiting = entry;
      await new Promise<void>((grant) => waiting.queue.push({ locker, grant }));
    }
    if (entry.fd !== undefined) return; // handed over with the file lock still held
    try {
      await this.#takeFile(entry, locker.name);
    } catch (err) {
      this.#passTurn(entry);
      throw err;
    }
  }

  /** @internal */
  release(locker: FileLocker): void {
    const entry = this.#entries.get(locker.name);
    if (!entry || entry.holder === undefined || entry.fd === undefined) {
      throw new CorralError(ErrorCode.Lock, `lock "${locker.name}" is not held`, { details: { lock: locker.name } });
    }
    if (entry.holder !== locker) {
      throw new CorralError(ErrorCode.Lock, `lock "${locker.name}" is held by another locker`, {
        details: { lock: locker.name },
      });
    }
    if (entry.removePending) {
      entry.removePending = false;
      try {
        this.#unlinkFiles(locker.name);
      } catch (err) {
        // The unlock itself must not fail: the lock is released all the same.
        this.#logger?.warn({ lock: locker.name, err }, 'could not remove lock file');
      }
      // The descriptor points at the unlinked file: never hand it on.
      this.#closeFile(entry);
      this.#passTurnOrForget(entry, locker.name);
      return;
    }
    const now = monotonicMs();
    if (entry.queue.length > 0 && now - entry.sliceStart >= FAIR_SLICE_MS) {
      if (this.#othersWaiting(locker.name)) {
        this.#closeFile(entry);
        entry.yieldUntil = now + COURTESY_MS;
      } else {
        entry.sliceStart = now;
      }
    }
    if (entry.queue.length === 0) this.#closeFile(entry);
    this.#passTurn(entry);
  }

  #passTurnOrForget(entry: Entry, name: string): void {
    this.#passTurn(entry);
    if (entry.holder === undefined) this.#entries.delete(name);
  }

  #unlinkFiles(name: string): void {
    for (const path of [this.#lockPath(name), this.#waitPath(name)]) {
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw this.#error(`removing lock file ${path}`, name, err);
      }
    }
  }

  /** Gives this process's turn to the next waiter here, or ends it. */
  #passTurn(entry: Entry): void {
    const next = entry.queue.shift();
    if (next) {
      entry.holder = next.locker;
      next.grant();
    } else {
      entry.holder = undefined;
    }
  }

  async #takeFile(entry: Entry, name: string): Promise<void> {
    const start = monotonicMs();
    if (start - entry.releasedAt < RELOCK_MS && start - entry.sliceStart >= FAIR_SLICE_MS && this.#othersWaiting(name)) {
      // Re-locking at once after a long hold, while others wait: step back first.
      entry.yieldUntil = start + COURTESY_MS;
    }
    const pause = entry.yieldUntil - start;
    if (pause > 0) await sleep(pause);
    const path = this.#lockPath(name);
    let waitFd: number | undefined;
    let announced = false;
    try {
      for (let attempt = 0; ; attempt++) {
        const fd = this.#open(path, name);
        try {
          for (let polls = 0; !tryLockExclusive(fd); polls++) {
            waitFd ??= this.#open(this.#waitPath(name), name);
            // Retried: the holder's own check holds LOCK_EX on it for a moment.
            if (!announced) announced = tryLockShared(waitFd);
            if (polls === 2_500) this.#logger?.warn({ lock: name, path }, 'still waiting for a lock held by another process');
            await sleep(Math.min(2 ** polls, POLL_MAX_MS) * (0.5 + Math.random()));
          }
          // Taken, but on a file that remove() unlinked meanwhile? Then it guards nothing.
          if (fstatSync(fd).nlink > 0) {
            const wasRecent = start - entry.releasedAt < RELOCK_MS;
            entry.fd = fd;
            if (!wasRecent || attempt > 0 || waitFd !== undefined) entry.sliceStart = monotonicMs();
            entry.yieldUntil = 0;
            return;
          }
        } catch (err) {
          closeSync(fd);
          throw this.#error(`locking ${path}`, name, err);
        }
        closeSync(fd);
      }
    } finally {
      if (waitFd !== undefined) closeSync(waitFd);
    }
  }

  #open(path: string, name: string, retry = true): number {
    try {
      return openSync(path, OPEN_FLAGS, 0o600);
    } catch (err) {
      // The directory is made on first use, and again if something cleaned the run root.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && retry) {
        try {
          mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        } catch (mkdirErr) {
          throw this.#error(`creating lock directory ${this.dir}`, name, mkdirErr);
        }
        return this.#open(path, name, false);
      }
      throw this.#error(`opening lock file ${path}`, name, err);
    }
  }

  #closeFile(entry: Entry): void {
    if (entry.fd === undefined) return;
    // Closing the last descriptor of the open file description drops the flock.
    closeSync(entry.fd);
    entry.fd = undefined;
    entry.releasedAt = monotonicMs();
  }

  /**
   * True when a process (other than this one) polls for `name`: pollers hold LOCK_SH
   * on `<name>.wait` while they wait.
   */
  #othersWaiting(name: string): boolean {
    let fd: number;
    try {
      fd = openSync(this.#waitPath(name), constants.O_RDWR | constants.O_NOFOLLOW);
    } catch {
      return false; // nobody ever waited
    }
    try {
      if (!tryLockExclusive(fd)) return true;
      unlockFile(fd);
      return false;
    } finally {
      closeSync(fd);
    }
  }

  #lockPath(name: string): string {
    return join(this.dir, `${name}.lock`);
  }

  #waitPath(name: string): string {
    return join(this.dir, `${name}.wait`);
  }

  #error(doing: string, name: string, err: unknown): CorralError {
    if (err instanceof CorralError) return err;
    const reason = err instanceof Error ? err.message : String(err);
    return new CorralError(ErrorCode.Lock, `lock "${name}": ${doing}: ${reason}`, {
      cause: err,
      details: { lock: name, dir: this.dir },
    });
  }
}
