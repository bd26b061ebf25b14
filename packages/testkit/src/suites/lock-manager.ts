import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorralError, ErrorCode, type LockManager, type Locker } from '@corral/core';

export interface LockManagerHarness {
  locks: LockManager;
  /** Releases whatever the factory created (files, directories). */
  cleanup(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The code of a call that fails, synchronously or by rejecting; undefined when it succeeds. */
async function codeOf(call: () => unknown): Promise<string | undefined> {
  try {
    await call();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(CorralError);
    return (err as CorralError).code;
  }
}

/** Resolves true when `p` settles within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The behaviour every LockManager must show within one process. Exclusion between
 * processes and release on a holder's death are the real implementation's own tests.
 *
 * Defined here: ownership belongs to the Locker handle. unlock() through a handle that
 * does not hold the lock fails with LOCK_ERROR and leaves the lock as it was; two
 * concurrent lock() calls through one handle exclude each other. remove() never waits
 * for the lock held by this process: the resources go once it is unlocked. Names are
 * untrusted: empty, ".", "..", or containing "/" or NUL fail with INVALID_ARG.
 */
export function describeLockManagerContract(
  name: string,
  factory: () => LockManagerHarness | Promise<LockManagerHarness>,
): void {
  describe(`LockManager contract: ${name}`, () => {
    let harness: LockManagerHarness;
    let locks: LockManager;
    const lockName = (): string => `ctr-${randomBytes(8).toString('hex')}`;

    beforeEach(async () => {
      harness = await factory();
      locks = harness.locks;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('locks and unlocks, again and again', async () => {
      const locker = locks.locker(lockName());
      for (let i = 0; i < 5; i++) {
        await locker.lock();
        await locker.unlock();
      }
    });

    it('names its locker', () => {
      const n = lockName();
      expect(locks.locker(n).name).toBe(n);
    });

    it('excludes concurrent async operations on one name', async () => {
      const n = lockName();
      let inside = 0;
      let maxInside = 0;
      let done = 0;
      const worker = async (locker: Locker): Promise<void> => {
        for (let i = 0; i < 10; i++) {
          await locker.lock();
          inside++;
          maxInside = Math.max(maxInside, inside);
          await sleep(Math.random() < 0.5 ? 0 : 1);
          inside--;
          done++;
          await locker.unlock();
        }
      };
      await Promise.all(Array.from({ length: 8 }, () => worker(locks.locker(n))));
      expect(maxInside).toBe(1);
      expect(done).toBe(80);
    });

    it('excludes two operations sharing one locker handle', async () => {
      const locker = locks.locker(lockName());
      await locker.lock();
      const second = locker.lock();
      expect(await settlesWithin(second, 50)).toBe(false);
      await locker.unlock();
      await second;
      await locker.unlock();
    });

    it('makes a waiter wait until the holder unlocks', async () => {
      const n = lockName();
      const holder = locks.locker(n);
      await holder.lock();
      const waiter = locks.locker(n);
      const waiting = waiter.lock();
      expect(await settlesWithin(waiting, 100)).toBe(false);
      await holder.unlock();
      expect(await settlesWithin(waiting, 5_000)).toBe(true);
      await waiter.unlock();
    });

    it('does not let one name block another', async () => {
      const a = locks.locker(lockName());
      const b = locks.locker(lockName());
      await a.lock();
      expect(await settlesWithin(b.lock(), 5_000)).toBe(true);
      await b.unlock();
      await a.unlock();
    });

    it('refuses unlock by a locker that does not hold the lock, and keeps the lock held', async () => {
      const n = lockName();
      const holder = locks.locker(n);
      const other = locks.locker(n);
      expect(await codeOf(() => holder.unlock())).toBe(ErrorCode.Lock);
      await holder.lock();
      expect(await codeOf(() => other.unlock())).toBe(ErrorCode.Lock);
      const third = locks.locker(n);
      const waiting = third.lock();
      expect(await settlesWithin(waiting, 100)).toBe(false);
      await holder.unlock();
      await waiting;
      expect(await codeOf(() => holder.unlock())).toBe(ErrorCode.Lock);
      await third.unlock();
    });

    it('starves no waiter while others lock in a tight loop', async () => {
      const n = lockName();
      let stop = false;
      const greedy = async (): Promise<void> => {
        const locker = locks.locker(n);
        while (!stop) {
          await locker.lock();
          await sleep(0);
          await locker.unlock();
        }
      };
      const greedies = [greedy(), greedy(), greedy()];
      await sleep(20);
      const patient = locks.locker(n);
      const got = await settlesWithin(patient.lock(), 10_000);
      stop = true;
      if (got) await patient.unlock();
      await Promise.all(greedies);
      expect(got).toBe(true);
    });

    it('grants every one of many waiters in turn', async () => {
      const n = lockName();
      const order: number[] = [];
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const locker = locks.locker(n);
          await locker.lock();
          order.push(i);
          await locker.unlock();
        }),
      );
      expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('supports many distinct locks at once (no fixed number)', async () => {
      const lockers = Array.from({ length: 300 }, () => locks.locker(lockName()));
      for (const l of lockers) await l.lock();
      for (const l of lockers) await l.unlock();
      await Promise.all(lockers.map((l) => locks.remove(l.name)));
    });

    it('remove() of an unused or unknown name succeeds, and the name can be locked again', async () => {
      const n = lockName();
      const locker = locks.locker(n);
      await locker.lock();
      await locker.unlock();
      await locks.remove(n);
      await locker.lock();
      await locker.unlock();
      await locks.remove(n);
      await locks.remove(lockName());
    });

    it('remove() while the lock is held returns at once, and the lock excludes until unlocked', async () => {
      const n = lockName();
      const holder = locks.locker(n);
      await holder.lock();
      // The engine removes a container (and its lock) while holding that lock.
      expect(await settlesWithin(locks.remove(n), 5_000)).toBe(true);
      const waiter = locks.locker(n);
      const waiting = waiter.lock();
      expect(await settlesWithin(waiting, 100)).toBe(false);
      await holder.unlock();
      expect(await settlesWithin(waiting, 5_000)).toBe(true);
      await waiter.unlock();
      await locks.remove(n);
    });

    it('keeps exclusion for waiters queued while a remove() runs', async () => {
      const n = lockName();
      const holder = locks.locker(n);
      await holder.lock();
      let inside = 0;
      let maxInside = 0;
      const users = Array.from({ length: 4 }, async () => {
        const l = locks.locker(n);
        await l.lock();
        inside++;
        maxInside = Math.max(maxInside, inside);
        await sleep(2);
        inside--;
        await l.unlock();
      });
      const removing = locks.remove(n);
      await holder.unlock();
      await Promise.all([...users, removing]);
      expect(maxInside).toBe(1);
    });

    it('rejects unsafe names with INVALID_ARG', async () => {
      for (const bad of ['', '.', '..', 'a/b', '../x', '/abs', 'nul\0byte']) {
        expect(await codeOf(() => locks.locker(bad).lock())).toBe(ErrorCode.InvalidArg);
        expect(await codeOf(() => locks.remove(bad))).toBe(ErrorCode.InvalidArg);
      }
    });
  });
}
