import { closeSync, openSync, readSync } from 'node:fs';
import type { Hash } from 'node:crypto';
import { InvalidArgumentError } from './errors.js';
import { lazyBuiltin } from './lazy-builtin.js';

// node:crypto initialises some thirty internal modules when first required (3-4 ms of a
// CLI start). Ids and names need only random bytes, which the kernel's urandom gives
// at the cost of one read; node:crypto loads only when something is hashed. Code that a
// plugin runs at engine start imports these from '@corral/core/crypto' rather than
// 'node:crypto'.
const crypto = lazyBuiltin<typeof import('node:crypto')>('node:crypto');

/** `size` bytes from /dev/urandom (the source node:crypto's randomBytes draws on too). */
export function randomBytes(size: number): Buffer {
  const out = Buffer.alloc(size);
  const fd = openSync('/dev/urandom', 'r');
  try {
    for (let got = 0; got < size; ) got += readSync(fd, out, got, size - got, null);
  } finally {
    closeSync(fd);
  }
  return out;
}

/** A uniform integer in [0, max), 0 < max <= 2^32, without modulo bias. */
export function randomInt(max: number): number {
  if (!Number.isInteger(max) || max <= 0 || max > 2 ** 32) throw new InvalidArgumentError(`randomInt: max must be an integer in (0, 2^32], got ${max}`);
  const limit = 2 ** 32 - (2 ** 32 % max);
  for (;;) {
    const n = randomBytes(4).readUInt32BE(0);
    if (n < limit) return n % max;
  }
}

export function createHash(algorithm: string): Hash {
  return crypto().createHash(algorithm);
}
