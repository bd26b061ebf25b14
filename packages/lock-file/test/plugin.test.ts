import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Kernel, LockManager, silentLogger as silent } from '@corral/core';
import { createLockFilePlugin, lockFilePlugin } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-lock-plugin-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('provides the LockManager with its files in <runDir>/locks by default', async () => {
  const kernel = await Kernel.assemble({
    plugins: [createLockFilePlugin()],
    root: join(dir, 'lib'),
    runRoot: join(dir, 'run'),
    logger: silent,
  });
  const locker = kernel.get(LockManager).locker('c1');
  await locker.lock();
  expect(await readdir(join(dir, 'run', 'lock-file', 'locks'))).toEqual(['c1.lock']);
  await locker.unlock();
  await kernel.stop();
});

it('takes the directory from its config', async () => {
  const locksDir = join(dir, 'elsewhere');
  const kernel = await Kernel.assemble({
    plugins: [lockFilePlugin],
    config: { 'lock-file': { dir: locksDir } },
    root: join(dir, 'lib'),
    runRoot: join(dir, 'run'),
    logger: silent,
  });
  const locks = kernel.get(LockManager);
  const locker = locks.locker('c2');
  await locker.lock();
  await locker.unlock();
  expect(await readdir(locksDir)).toEqual(['c2.lock']);
  await locks.remove('c2');
  expect(await readdir(locksDir)).toEqual([]);
  await kernel.stop();
});
