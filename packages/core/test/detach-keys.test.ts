import { describe, expect, it } from 'vitest';
import { ErrorCode, parseDetachKeys } from '@corral/core';

describe('detach keys', () => {
  it('parses ctrl- names and single characters', () => {
    expect([...parseDetachKeys('ctrl-p,ctrl-q')]).toEqual([0x10, 0x11]);
    expect([...parseDetachKeys('ctrl-@,ctrl-[,x')]).toEqual([0, 27, 120]);
    expect(parseDetachKeys('')).toHaveLength(0);
    expect(() => parseDetachKeys('ctrl-pp')).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArg }));
  });
});
