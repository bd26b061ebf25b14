import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLockManager } from '../src/index.js';
import { finished, spawnHelper, waitForOutput } from './helpers/spawn.js';

let dir: string;
let children: ChildProcess[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-lock-proc-'));
  children = [];
});
afterEach(async () => {
  // Only the children this test started, by their pid.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function start(script: string, args: string[]): ChildProcess {
  const child = spawnHelper(script, args);
  children.push(child);
  return child;
}

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), sleep(ms).then(() => false)]);
}

describe('between processes', () => {
  it('excludes: 4 processes and this one increment a counter 400 times without losing one', async () => {
    const counter = join(dir, 'counter');
    await writeFile(counter, '0');
    const locksDir = join(dir, 'locks');
    const runs = Array.from({ length: 4 }, () => finished(start('lock-worker.ts', [locksDir, 'ctr', counter, '80'])));
    const locks = new FileLockManager({ dir: locksDir });
    const mine = locks.locker('ctr');
    for (let i = 0; i < 80; i++) {
      await mine.lock();
      const value = Number(await readFile(counter, 'utf8'));
      await sleep(0);
      await writeFile(counter, String(value + 1));
      await mine.unlock();
    }
    for (const r of await Promise.all(runs)) expect(r, r.stderr).toMatchObject({ code: 0 });
    expect(Number(await readFile(counter, 'utf8'))).toBe(400);
  }, 120_000);

  it('excludes while processes remove the lock file under each other', async () => {
    const counter = join(dir, 'counter');
    await writeFile(counter, '0');
    const locksDir = join(dir, 'locks');
    const runs = Array.from({ length: 4 }, () =>
      finished(start('lock-worker.ts', [locksDir, 'ctr', counter, '60', 'remove'])),
    );
    for (const r of await Promise.all(runs)) expect(r, r.stderr).toMatchObject({ code: 0 });
    expect(Number(await readFile(counter, 'utf8'))).toBe(240);
  }, 120_000);

  it('frees the lock of a holder killed with SIGKILL at once (within 100 ms)', async () => {
    const locksDir = join(dir, 'locks');
    const holder = start('lock-holder.ts', [locksDir, 'victim', 'hold']);
    const ended = finished(holder);
    await waitForOutput(holder, 'locked');
    const locker = new FileLockManager({ dir: locksDir }).locker('victim');
    let gotAt = 0;
    const got = locker.lock().then(() => {
      gotAt = performance.now();
    });
    expect(await settlesWithin(got, 300)).toBe(false);
    const killedAt = performance.now();
    holder.kill('SIGKILL');
    await got;
    expect((await ended).signal).toBe('SIGKILL');
    expect(gotAt - killedAt).toBeLessThan(100);
    await locker.unlock();
  }, 60_000);

  it('does not starve a waiter while another process locks and unlocks in a tight loop', async () => {
    const locksDir = join(dir, 'locks');
    const churner = start('lock-holder.ts', [locksDir, 'busy', 'churn']);
    const ended = finished(churner);
    await waitForOutput(churner, 'churning');
    await sleep(100);
    const locker = new FileLockManager({ dir: locksDir }).locker('busy');
    // With fair turns each wait is a few tens of ms; by polling alone it would take
    // about half a second, as the lock is free for microseconds at a time.
    let waited = 0;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      expect(await settlesWithin(locker.lock(), 10_000)).toBe(true);
      waited += performance.now() - started;
      await locker.unlock();
      await sleep(50); // the churner takes it back
    }
    expect(waited).toBeLessThan(1_500);
    churner.kill('SIGKILL');
    await ended;
  }, 60_000);

  it('lets a process that waits for a lock exit', async () => {
    const locksDir = join(dir, 'locks');
    const locker = new FileLockManager({ dir: locksDir }).locker('held');
    await locker.lock();
    const waiter = start('lock-holder.ts', [locksDir, 'held', 'wait-exit']);
    const result = await finished(waiter);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('got it');
    await locker.unlock();
  }, 60_000);
});

describe('lock files', () => {
  it('keeps one file per name, and remove() deletes it', async () => {
    const locksDir = join(dir, 'locks');
    const locks = new FileLockManager({ dir: locksDir });
    for (const name of ['a', 'b']) {
      const l = locks.locker(name);
      await l.lock();
      await l.unlock();
    }
    expect((await readdir(locksDir)).sort()).toEqual(['a.lock', 'b.lock']);
    await locks.remove('a');
    expect(await readdir(locksDir)).toEqual(['b.lock']);
  });

  it('deletes the file of a lock removed while held when it is unlocked', async () => {
    const locksDir = join(dir, 'locks');
    const locks = new FileLockManager({ dir: locksDir });
    const holder = locks.locker('c');
    await holder.lock();
    await locks.remove('c');
    expect(await readdir(locksDir)).toEqual(['c.lock']);
    await holder.unlock();
    expect(await readdir(locksDir)).toEqual([]);
  });

  it('reports an unusable lock directory as LOCK_ERROR naming the lock', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, '');
    const locker = new FileLockManager({ dir: file }).locker('x');
    await expect(locker.lock()).rejects.toMatchObject({ code: 'LOCK_ERROR', message: expect.stringContaining('"x"') });
    // The failed attempt gave its turn back: the next caller gets the same error, not a hang.
    await expect(locker.lock()).rejects.toMatchObject({ code: 'LOCK_ERROR' });
  });
});
