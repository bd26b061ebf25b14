import { describe, expect, it } from 'vitest';
import { formatIPv4, hostRange, overlaps, parseCidr, parseIPv4 } from '@corral/core/ipv4';

describe('IPv4 helpers', () => {
  it('parses and formats addresses and subnets', () => {
    expect(formatIPv4(parseIPv4('10.90.3.254'))).toBe('10.90.3.254');
    expect(parseCidr('10.90.0.0/24')).toMatchObject({ prefix: 24, size: 256 });
    expect(() => parseCidr('10.90.0.1/24')).toThrow(/host bits/);
    expect(() => parseCidr('10.90.0.0')).toThrow(/a\.b\.c\.d\/len/);
    expect(() => parseIPv4('10.256.0.1')).toThrow(/invalid IPv4/);
    expect(overlaps(parseCidr('10.88.0.0/16'), parseCidr('10.88.5.0/24'))).toBe(true);
    expect(overlaps(parseCidr('10.88.0.0/16'), parseCidr('10.89.0.0/24'))).toBe(false);
    const r = hostRange(parseCidr('10.0.0.0/30'));
    expect([formatIPv4(r.first), formatIPv4(r.last)]).toEqual(['10.0.0.1', '10.0.0.2']);
  });
});
