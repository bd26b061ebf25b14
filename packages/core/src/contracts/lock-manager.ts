import { token } from './token.js';

/**
 * A named lock that excludes other processes and other async operations of this
 * process alike. A lock whose holder dies is free at once.
 */
export interface Locker {
  readonly name: string;
  lock(): Promise<void>;
  unlock(): Promise<void>;
}

export interface LockManager {
  /** The lock for `name` (a container id); creating it costs nothing until first use. */
  locker(name: string): Locker;
  /** Deletes the lock's backing resources; called when the container goes away. */
  remove(name: string): Promise<void>;
}
export const LockManager = token<LockManager>('corral.lock-manager.v1');
