import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStateStoreContract } from '@corral/testkit/suites/state-store';
import { SqliteStateStore } from '../src/index.js';

describeStateStoreContract('SqliteStateStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'corral-state-contract-'));
  const store = await SqliteStateStore.open({ path: join(dir, 'state.db') });
  return {
    store,
    cleanup: async () => {
      store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
