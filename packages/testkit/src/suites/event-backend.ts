/**
 * The EventBackend contract, as every implementation must honour it:
 * - `read` returns stored events in the order they were written, every field intact
 *   (nanosecond bigint times, exit code, attributes, error);
 * - `since`/`until` are inclusive; filters follow core's events/filter rules (values of
 *   one key ORed, different keys ANDed); an unknown filter key is INVALID_ARG;
 * - `follow` first yields the stored matches, then new ones as they are written, and
 *   ends (without throwing) promptly once the signal aborts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CorralEvent, EventBackend, EventReadOptions } from '@corral/core';

export interface EventBackendFixture {
  backend: EventBackend;
  /**
   * A second, independent instance over the same store (as another process would
   * open it), when the implementation persists events.
   */
  reopen?: () => Promise<EventBackend> | EventBackend;
  cleanup?: () => Promise<void> | void;
}

export type EventBackendFactory = () => Promise<EventBackendFixture> | EventBackendFixture;

const BASE = 1_700_000_000_000_000_000n;

/** An event at BASE + `n` seconds + 123456789 ns unless given. */
export function makeEvent(n: number, over: Partial<CorralEvent> = {}): CorralEvent {
  return {
    timeNano: BASE + BigInt(n) * 1_000_000_000n + 123_456_789n,
    type: 'container',
    action: 'start',
    id: `c${String(n).padStart(3, '0')}${'0'.repeat(60)}`,
    name: `ctr-${n}`,
    image: 'localhost/busybox:latest',
    attributes: {},
    ...over,
  };
}

async function collect(it: AsyncIterable<CorralEvent>): Promise<CorralEvent[]> {
  const out: CorralEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

/** Rejects when `p` has not settled within `ms`: a hung follower fails, not stalls. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Follows until `count` events arrived, then aborts; returns what it saw. */
function followFor(
  backend: EventBackend,
  count: number,
  options: Omit<EventReadOptions, 'follow' | 'signal'> = {},
): { done: Promise<CorralEvent[]>; abort: AbortController } {
  const abort = new AbortController();
  const done = (async () => {
    const seen: CorralEvent[] = [];
    if (count === 0) return seen;
    for await (const e of backend.read({ ...options, follow: true, signal: abort.signal })) {
      seen.push(e);
      if (seen.length >= count) abort.abort();
    }
    return seen;
  })();
  return { done, abort };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A fixture for a backend kept in one file of a fresh temporary directory: every open
 * (the first, and each reopen) is closed at cleanup, then the directory removed.
 */
export function fileBackendFixture<B extends EventBackend & { close(): void }>(fileName: string, open: (path: string) => B): EventBackendFixture {
  const dir = mkdtempSync(join(tmpdir(), 'corral-events-'));
  const opened: B[] = [];
  const make = (): B => {
    const b = open(join(dir, fileName));
    opened.push(b);
    return b;
  };
  return {
    backend: make(),
    reopen: make,
    cleanup: () => {
      for (const b of opened) b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function describeEventBackendContract(name: string, factory: EventBackendFactory): void {
  describe(`EventBackend contract: ${name}`, () => {
    let fixture: EventBackendFixture;
    let backend: EventBackend;
    const read = (o?: EventReadOptions): Promise<CorralEvent[]> => collect(backend.read(o));
    const names = (events: CorralEvent[]): string[] => events.map((e) => e.name);

    beforeEach(async () => {
      fixture = await factory();
      backend = fixture.backend;
    });
    afterEach(async () => {
      await fixture.cleanup?.();
    });

    it('reads nothing from an empty log', async () => {
      expect(await read()).toEqual([]);
    });

    it('round-trips every field with nanosecond times', async () => {
      const full = makeEvent(1, {
        timeNano: 1_700_000_000_987_654_321n,
        action: 'died',
        exitCode: 137,
        attributes: { 'com.example.app': 'shop', signal: '9', empty: '', 'utf8 ✓': 'ünïcode "quoted"\n' },
        error: 'container exited: killed by signal 9',
      });
      const bare = makeEvent(2, { type: 'image', action: 'pull', name: 'busybox', image: 'busybox' });
      await backend.write(full);
      await backend.write(bare);
      const got = await read();
      expect(got).toHaveLength(2);
      expect(got[0]).toEqual(full);
      expect(typeof got[0]!.timeNano).toBe('bigint');
      expect(got[0]!.timeNano).toBe(1_700_000_000_987_654_321n);
      expect(got[1]).toEqual(bare);
      expect(got[1]!.exitCode).toBeUndefined();
      expect(got[1]!.error).toBeUndefined();
    });

    it('keeps exit code 0 distinct from no exit code', async () => {
      await backend.write(makeEvent(1, { action: 'died', exitCode: 0 }));
      const [got] = await read();
      expect(got!.exitCode).toBe(0);
    });

    it('returns events in the order they were written', async () => {
      const order = [5, 1, 4, 2, 3];
      for (const n of order) await backend.write(makeEvent(n));
      expect(names(await read())).toEqual(order.map((n) => `ctr-${n}`));
    });

    it('loses nothing under concurrent writes', async () => {
      await Promise.all(Array.from({ length: 200 }, (_, i) => backend.write(makeEvent(i))));
      const got = await read();
      expect(new Set(names(got)).size).toBe(200);
    });

    it('applies since and until as inclusive bounds', async () => {
      for (let n = 0; n < 10; n++) await backend.write(makeEvent(n));
      const t = (n: number): bigint => makeEvent(n).timeNano;
      expect(names(await read({ since: t(7) }))).toEqual(['ctr-7', 'ctr-8', 'ctr-9']);
      expect(names(await read({ until: t(2) }))).toEqual(['ctr-0', 'ctr-1', 'ctr-2']);
      expect(names(await read({ since: t(3), until: t(5) }))).toEqual(['ctr-3', 'ctr-4', 'ctr-5']);
      expect(names(await read({ since: t(3) + 1n, until: t(5) - 1n }))).toEqual(['ctr-4']);
      expect(await read({ since: t(9) + 1n })).toEqual([]);
    });

    describe('filters', () => {
      beforeEach(async () => {
        await backend.write(makeEvent(1, { id: 'aaaa1111', name: 'web', action: 'create', attributes: { app: 'shop', tier: 'front' } }));
        await backend.write(makeEvent(2, { id: 'aaaa1111', name: 'web', action: 'start', attributes: { app: 'shop', tier: 'front' } }));
        await backend.write(makeEvent(3, { id: 'bbbb2222', name: 'db', action: 'start', image: 'localhost/postgres:16', attributes: { app: 'shop' } }));
        await backend.write(makeEvent(4, { id: 'bbbb2222', name: 'db', action: 'died', exitCode: 1, image: 'localhost/postgres:16', attributes: {} }));
        await backend.write(makeEvent(5, { type: 'exec', id: 'aaaa1111', name: 'web', action: 'exec_died', exitCode: 0, attributes: { execID: 'e1' } }));
        await backend.write(makeEvent(6, { type: 'image', id: 'ffff9999', name: 'localhost/postgres:16', image: 'localhost/postgres:16', action: 'remove', attributes: {} }));
        await backend.write(makeEvent(7, { type: 'network', id: 'nnnn', name: 'podman', image: '', action: 'create', attributes: {} }));
      });
      const by = async (filters: Record<string, string[]>, extra: EventReadOptions = {}): Promise<number[]> =>
        (await read({ ...extra, filters })).map((e) => Number((e.timeNano - BASE) / 1_000_000_000n));

      it('container: by name, full id and id prefix (container and exec events)', async () => {
        expect(await by({ container: ['web'] })).toEqual([1, 2, 5]);
        expect(await by({ container: ['bbbb2222'] })).toEqual([3, 4]);
        expect(await by({ container: ['bbb'] })).toEqual([3, 4]);
        expect(await by({ container: ['nnnn'] })).toEqual([]);
        expect(await by({ container: ['we'] })).toEqual([]);
      });

      it('event: by action', async () => {
        expect(await by({ event: ['start'] })).toEqual([2, 3]);
        expect(await by({ event: ['exec_died'] })).toEqual([5]);
      });

      it('image: by image name, and image events by id prefix', async () => {
        expect(await by({ image: ['localhost/postgres:16'] })).toEqual([3, 4, 6]);
        expect(await by({ image: ['ffff'] })).toEqual([6]);
        expect(await by({ image: ['postgres'] })).toEqual([]);
      });

      it('label: key=value and key alone', async () => {
        expect(await by({ label: ['app=shop'] })).toEqual([1, 2, 3]);
        expect(await by({ label: ['tier'] })).toEqual([1, 2]);
        expect(await by({ label: ['execID=e1'] })).toEqual([5]);
        expect(await by({ label: ['app=other'] })).toEqual([]);
      });

      it('type', async () => {
        expect(await by({ type: ['container'] })).toEqual([1, 2, 3, 4]);
        expect(await by({ type: ['image', 'network'] })).toEqual([6, 7]);
      });

      it('ORs values of one key and ANDs different keys', async () => {
        expect(await by({ container: ['web', 'db'] })).toEqual([1, 2, 3, 4, 5]);
        expect(await by({ event: ['create', 'died'] })).toEqual([1, 4, 7]);
        expect(await by({ container: ['web'], event: ['start'] })).toEqual([2]);
        expect(await by({ container: ['web', 'db'], event: ['start', 'died'], label: ['app=shop'] })).toEqual([2, 3]);
        expect(await by({ label: ['app=shop', 'execID'] })).toEqual([1, 2, 3, 5]);
        expect(await by({ label: ['app=shop'], type: ['exec'] })).toEqual([]);
        expect(await by({ event: [] })).toEqual([1, 2, 3, 4, 5, 6, 7]);
      });

      it('combines filters with since and until', async () => {
        const t = (n: number): bigint => makeEvent(n).timeNano;
        expect(await by({ container: ['web'] }, { since: t(2) })).toEqual([2, 5]);
        expect(await by({ type: ['container'] }, { since: t(2), until: t(3) })).toEqual([2, 3]);
      });

      it('rejects an unknown filter key with INVALID_ARG', async () => {
        await expect(read({ filters: { volume: ['x'] } })).rejects.toMatchObject({ code: 'INVALID_ARG' });
      });
    });

    describe('follow', () => {
      it('yields stored events, then new ones, and stops on abort', async () => {
        await backend.write(makeEvent(1));
        const { done } = followFor(backend, 4);
        await sleep(20);
        await backend.write(makeEvent(2));
        await sleep(20);
        await backend.write(makeEvent(3));
        await backend.write(makeEvent(4));
        const seen = await within(done, 10_000, 'follower');
        expect(names(seen)).toEqual(['ctr-1', 'ctr-2', 'ctr-3', 'ctr-4']);
        expect(seen[3]).toEqual(makeEvent(4));
      });

      it('ends promptly when aborted while waiting', async () => {
        await backend.write(makeEvent(1));
        const { done, abort } = followFor(backend, 100);
        await sleep(50);
        abort.abort();
        const seen = await within(done, 5_000, 'aborted follower');
        expect(names(seen)).toEqual(['ctr-1']);
      });

      it('returns at once with an already aborted signal', async () => {
        await backend.write(makeEvent(1));
        const abort = new AbortController();
        abort.abort();
        const seen = await within(collect(backend.read({ follow: true, signal: abort.signal })), 5_000, 'follower');
        expect(seen.length).toBeLessThanOrEqual(1);
      });

      it('starts from since and applies filters to new events', async () => {
        for (let n = 0; n < 5; n++) await backend.write(makeEvent(n, { action: n % 2 ? 'stop' : 'start' }));
        const { done } = followFor(backend, 3, { since: makeEvent(2).timeNano, filters: { event: ['start'] } });
        await sleep(20);
        await backend.write(makeEvent(5, { action: 'stop' }));
        await backend.write(makeEvent(6, { action: 'start' }));
        const seen = await within(done, 10_000, 'follower');
        expect(names(seen)).toEqual(['ctr-2', 'ctr-4', 'ctr-6']);
      });

      it('ends by itself once the clock is past until', async () => {
        await backend.write(makeEvent(1));
        const abort = new AbortController();
        const seen = await within(
          collect(backend.read({ follow: true, signal: abort.signal, until: makeEvent(3).timeNano })),
          5_000,
          'follower with until in the past',
        );
        abort.abort();
        expect(names(seen)).toEqual(['ctr-1']);
      });

      it('sees many events written while following, each once and in order', async () => {
        const { done } = followFor(backend, 300);
        for (let n = 0; n < 300; n++) {
          await backend.write(makeEvent(n));
          if (n % 50 === 0) await sleep(5);
        }
        const seen = await within(done, 20_000, 'follower');
        expect(names(seen)).toEqual(Array.from({ length: 300 }, (_, n) => `ctr-${n}`));
      });
    });

    describe('a second instance over the same store', () => {
      it('reads what the first wrote, and a follower sees both', async (ctx) => {
        if (!fixture.reopen) ctx.skip();
        const other = await fixture.reopen!();
        await backend.write(makeEvent(1));
        expect(names(await collect(other.read()))).toEqual(['ctr-1']);
        const { done } = followFor(other, 3);
        await sleep(20);
        await other.write(makeEvent(2));
        await backend.write(makeEvent(3));
        expect(names(await within(done, 10_000, 'follower on second instance'))).toEqual(['ctr-1', 'ctr-2', 'ctr-3']);
      });
    });
  });
}
