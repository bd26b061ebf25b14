import { describe, expect, it } from 'vitest';
import { followDeadlineMs, formatEventTime, nowNano, parseDuration, parseEventTime } from '../src/events/time.js';
import { InvalidArgumentError } from '../src/errors.js';

const NOW = 1_700_000_000_123_456_789n;

describe('parseEventTime', () => {
  it('reads RFC3339 with nanoseconds and a zone', () => {
    expect(parseEventTime('2023-11-14T22:13:20.123456789Z')).toBe(1_700_000_000_123_456_789n);
    expect(parseEventTime('2023-11-14T23:13:20.5+01:00')).toBe(1_700_000_000_500_000_000n);
    expect(parseEventTime('2023-11-14T17:13:20-0500')).toBe(1_700_000_000_000_000_000n);
  });

  it('truncates fractions beyond nine digits', () => {
    expect(parseEventTime('2023-11-14T22:13:20.1234567891Z')).toBe(1_700_000_000_123_456_789n);
  });

  it('reads a bare date and a zoneless time as local time', () => {
    const local = BigInt(new Date(2024, 0, 2, 3, 4, 5).getTime()) * 1_000_000n;
    expect(parseEventTime('2024-01-02T03:04:05')).toBe(local);
    expect(parseEventTime('2024-01-02')).toBe(BigInt(new Date(2024, 0, 2).getTime()) * 1_000_000n);
  });

  it('reads unix seconds with a fraction', () => {
    expect(parseEventTime('1700000000')).toBe(1_700_000_000_000_000_000n);
    expect(parseEventTime('1700000000.000000001')).toBe(1_700_000_000_000_000_001n);
  });

  it('reads durations as that long before now', () => {
    expect(parseEventTime('10m', NOW)).toBe(NOW - 600_000_000_000n);
    expect(parseEventTime('1h30m', NOW)).toBe(NOW - 5_400_000_000_000n);
    expect(parseEventTime('1.5s', NOW)).toBe(NOW - 1_500_000_000n);
    expect(parseEventTime('250ms', NOW)).toBe(NOW - 250_000_000n);
  });

  it('rejects garbage with InvalidArgumentError naming the value', () => {
    for (const bad of ['', 'yesterday', '10x', '2024-13-01', '1h-5m']) {
      expect(() => parseEventTime(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => parseEventTime('soon')).toThrow(/"soon"/);
  });
});

describe('parseDuration', () => {
  it('sums units and returns undefined for non-durations', () => {
    expect(parseDuration('1h2m3s4ms5us6ns')).toBe(3_723_004_005_006n);
    expect(parseDuration('12')).toBeUndefined();
    expect(parseDuration('m')).toBeUndefined();
  });
});

describe('nowNano / formatEventTime', () => {
  it('is close to Date.now and never goes backwards', () => {
    const a = nowNano();
    const b = nowNano();
    expect(b >= a).toBe(true);
    const drift = a / 1_000_000n - BigInt(Date.now());
    expect(drift < 1000n && drift > -1000n).toBe(true);
  });

  it('round-trips through RFC3339 with nine digits', () => {
    const text = formatEventTime(NOW);
    expect(text).toBe('2023-11-14T22:13:20.123456789Z');
    expect(parseEventTime(text)).toBe(NOW);
  });
});

describe('followDeadlineMs', () => {
  it('is unbounded without until, passed after it, rounded up before it', () => {
    expect(followDeadlineMs(undefined)).toBeUndefined();
    expect(followDeadlineMs(nowNano() - 1n)).toBe('passed');
    const ms = followDeadlineMs(nowNano() + 2_500_000_000n);
    expect(typeof ms === 'number' && ms > 2000 && ms <= 2501).toBe(true);
  });
});
