import { describeStateStoreContract } from '@corral/testkit/suites/state-store';
import { MemoryStateStore } from '@corral/testkit/fakes/memory-state-store';

describeStateStoreContract('MemoryStateStore', () => ({ store: new MemoryStateStore(), cleanup: async () => {} }));
