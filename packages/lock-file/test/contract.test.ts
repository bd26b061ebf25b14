import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLockManagerContract } from '@corral/testkit/suites/lock-manager';
import { FileLockManager } from '../src/index.js';

describeLockManagerContract('FileLockManager', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'corral-lock-contract-'));
  return {
    locks: new FileLockManager({ dir: join(dir, 'locks') }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
