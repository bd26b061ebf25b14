import { InvalidArgumentError } from '@corral/core';

/**
 * Lock names come from callers (container ids, and whatever a user typed before it was
 * resolved): each must be exactly one file name inside the lock directory.
 */
export function checkLockName(name: string): void {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\0]/.test(name) || name.length > 200) {
    throw new InvalidArgumentError(`invalid lock name ${JSON.stringify(name)}: it must be one file name`, {
      details: { lock: name },
    });
  }
}
