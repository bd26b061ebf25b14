import { describeLockManagerContract } from '@corral/testkit/suites/lock-manager';
import { MemoryLockManager } from '@corral/testkit/fakes/memory-lock-manager';

describeLockManagerContract('MemoryLockManager', () => ({ locks: new MemoryLockManager(), cleanup: async () => {} }));
