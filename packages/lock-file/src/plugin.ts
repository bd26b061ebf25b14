import { join } from 'node:path';
import { InvalidArgumentError, LockManager, definePlugin, type Plugin } from '@corral/core';
import { FileLockManager } from './file-lock-manager.js';

export interface LockFileConfig {
  /** Where the lock files live; default `<runDir>/locks` (under the run root: locks do not outlive a boot). */
  dir?: string;
}

/** A `lock-file` plugin value; every engine it registers into gets its own manager. */
export function createLockFilePlugin(): Plugin<LockFileConfig> {
  return definePlugin<LockFileConfig>({
    id: 'lock-file',
    provides: [LockManager],
    register(ctx) {
      const { dir } = ctx.config;
      if (dir !== undefined && (typeof dir !== 'string' || dir === '')) {
        throw new InvalidArgumentError(`lock-file: "dir" must be a non-empty string, not ${JSON.stringify(dir)}`);
      }
      // Nothing is opened until the first lock(), and the directory is made then.
      const locks = new FileLockManager({ dir: dir ?? join(ctx.runDir, 'locks'), logger: ctx.logger });
      ctx.container.register(LockManager, { useValue: locks });
    },
  });
}

/** The plugin value; it can be shared by several engines (it holds no state itself). */
export const lockFilePlugin = createLockFilePlugin();
