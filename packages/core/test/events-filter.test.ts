import { describe, expect, it } from 'vitest';
import { eventMatcher, matchEvent, validateEventFilters } from '../src/events/filter.js';
import { InvalidArgumentError } from '../src/errors.js';
import type { CorralEvent } from '../src/types/event.js';

function ev(over: Partial<CorralEvent> = {}): CorralEvent {
  return {
    timeNano: 1_000n,
    type: 'container',
    action: 'start',
    id: 'abcdef0123456789',
    name: 'web',
    image: 'docker.io/library/busybox:latest',
    attributes: { app: 'shop', tier: '' },
    ...over,
  };
}

describe('matchEvent', () => {
  it('passes everything without a filter', () => {
    expect(matchEvent(ev(), undefined)).toBe(true);
    expect(matchEvent(ev(), { filters: {} })).toBe(true);
  });

  it('container matches id, id prefix or name, for container and exec events', () => {
    for (const v of ['abcdef0123456789', 'abcd', 'web']) {
      expect(matchEvent(ev(), { filters: { container: [v] } })).toBe(true);
      expect(matchEvent(ev({ type: 'exec' }), { filters: { container: [v] } })).toBe(true);
    }
    expect(matchEvent(ev(), { filters: { container: ['we'] } })).toBe(false);
    expect(matchEvent(ev({ type: 'image' }), { filters: { container: ['web'] } })).toBe(false);
  });

  it('event matches the action, type the type', () => {
    expect(matchEvent(ev(), { filters: { event: ['start'] } })).toBe(true);
    expect(matchEvent(ev(), { filters: { event: ['stop'] } })).toBe(false);
    expect(matchEvent(ev(), { filters: { type: ['container'] } })).toBe(true);
    expect(matchEvent(ev(), { filters: { type: ['image'] } })).toBe(false);
  });

  it('image matches the image name or an image event id prefix', () => {
    expect(matchEvent(ev(), { filters: { image: ['docker.io/library/busybox:latest'] } })).toBe(true);
    expect(matchEvent(ev(), { filters: { image: ['busybox'] } })).toBe(false);
    const img = ev({ type: 'image', id: 'feedbeef', image: 'busybox' });
    expect(matchEvent(img, { filters: { image: ['feed'] } })).toBe(true);
    expect(matchEvent(ev({ id: 'feedbeef' }), { filters: { image: ['feed'] } })).toBe(false);
  });

  it('label matches key=value or key alone', () => {
    expect(matchEvent(ev(), { filters: { label: ['app=shop'] } })).toBe(true);
    expect(matchEvent(ev(), { filters: { label: ['app=other'] } })).toBe(false);
    expect(matchEvent(ev(), { filters: { label: ['app'] } })).toBe(true);
    expect(matchEvent(ev(), { filters: { label: ['tier='] } })).toBe(true);
    expect(matchEvent(ev(), { filters: { label: ['missing'] } })).toBe(false);
    expect(matchEvent(ev({ attributes: { 'a=b': 'c' } }), { filters: { label: ['a=b=c'] } })).toBe(false);
  });

  it('ORs values of one key and ANDs different keys', () => {
    expect(matchEvent(ev(), { filters: { event: ['stop', 'start'] } })).toBe(true);
    expect(matchEvent(ev(), { filters: { event: ['start'], container: ['web'] } })).toBe(true);
    expect(matchEvent(ev(), { filters: { event: ['start'], container: ['db'] } })).toBe(false);
    expect(matchEvent(ev(), { filters: { event: ['stop', 'start'], label: ['app=x', 'app=shop'] } })).toBe(true);
  });

  it('applies inclusive since and until', () => {
    expect(matchEvent(ev(), { since: 1_000n, until: 1_000n })).toBe(true);
    expect(matchEvent(ev(), { since: 1_001n })).toBe(false);
    expect(matchEvent(ev(), { until: 999n })).toBe(false);
  });
});

describe('validateEventFilters', () => {
  it('rejects unknown keys and empty values', () => {
    expect(() => validateEventFilters({ volume: ['x'] })).toThrow(InvalidArgumentError);
    expect(() => validateEventFilters({ event: [''] })).toThrow(/event/);
    expect(() => eventMatcher({ filters: { bogus: ['1'] } })).toThrow(/bogus/);
    expect(() => validateEventFilters({ label: ['a=b'], type: ['exec'] })).not.toThrow();
  });
});
