import type { Hash } from 'node:crypto';
import { lazyBuiltin } from './lazy-builtin.js';

// node:crypto initialises some thirty internal modules when first required (2-3 ms of a
// CLI start); `corral ps` or `inspect` makes no id and hashes nothing, so these load it
// on first call. Code that a plugin runs at engine start imports them from
// '@corral/core/crypto' instead of 'node:crypto'.
const crypto = lazyBuiltin<typeof import('node:crypto')>('node:crypto');

export function randomBytes(size: number): Buffer {
  return crypto().randomBytes(size);
}

export function randomInt(max: number): number {
  return crypto().randomInt(max);
}

export function createHash(algorithm: string): Hash {
  return crypto().createHash(algorithm);
}
