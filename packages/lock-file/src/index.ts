export { createLockFilePlugin, lockFilePlugin, type LockFileConfig } from './plugin.js';
export { FileLockManager, type FileLockManagerOptions } from './file-lock-manager.js';
export { checkLockName } from './names.js';
