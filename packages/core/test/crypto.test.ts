import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@corral/core';
import { createHash, randomBytes, randomInt } from '@corral/core/crypto';

describe('core crypto', () => {
  it('randomBytes gives the size asked for, different every time', () => {
    expect(randomBytes(0)).toHaveLength(0);
    expect(randomBytes(70_000)).toHaveLength(70_000);
    const ids = new Set(Array.from({ length: 200 }, () => randomBytes(32).toString('hex')));
    expect(ids.size).toBe(200);
  });

  it('randomInt stays in [0, max) and reaches every value', () => {
    const seen = new Array<number>(7).fill(0);
    for (let i = 0; i < 7000; i++) {
      const n = randomInt(7);
      expect(n >= 0 && n < 7 && Number.isInteger(n)).toBe(true);
      seen[n]!++;
    }
    // Each of 7 values about 1000 times: far from 0 or 7000 unless biased or stuck.
    for (const count of seen) expect(count).toBeGreaterThan(800);
    expect(randomInt(1)).toBe(0);
    for (const bad of [0, -1, 1.5, 2 ** 33, Number.NaN]) expect(() => randomInt(bad)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArg }));
  });

  it('createHash is node:crypto', () => {
    expect(createHash('sha256').update('abc').digest('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
