import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CorralEvent, EventType } from '@corral/core';
import { matchEvent } from '@corral/core/events/filter';
import { nowNano } from '@corral/core/events/time';
import { makeEvent } from '@corral/testkit/suites/event-backend';
import { SqliteEventBackend } from '../src/index.js';

async function collect(it: AsyncIterable<CorralEvent>): Promise<CorralEvent[]> {
  const out: CorralEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('SqliteEventBackend', () => {
  let dir: string;
  let file: string;
  const opened: SqliteEventBackend[] = [];
  const open = (o: Partial<ConstructorParameters<typeof SqliteEventBackend>[0]> = {}): SqliteEventBackend => {
    const b = new SqliteEventBackend({ path: file, maxAgeSeconds: 0, ...o });
    opened.push(b);
    return b;
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-events-sqlite-'));
    file = path.join(dir, 'sub', 'events.db');
  });
  afterEach(() => {
    for (const b of opened.splice(0)) b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps only the newest maxEvents, checked every pruneEvery writes', async () => {
    const backend = open({ maxEvents: 50, pruneEvery: 10 });
    for (let n = 0; n < 125; n++) await backend.write(makeEvent(n, { attributes: { n: String(n) } }));
    const got = await collect(backend.read());
    // The last prune ran at write 120; five more came after it.
    expect(got.map((e) => e.name)).toEqual(Array.from({ length: 55 }, (_, i) => `ctr-${i + 70}`));
    expect(backend.prune()).toBe(5);
    expect((await collect(backend.read()))[0]!.name).toBe('ctr-75');
    // labels of removed events went with them
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT count(*) AS c FROM event_labels').get() as { c: number }).c).toBe(50);
    db.close();
  });

  it('drops events older than maxAgeSeconds', async () => {
    const backend = open({ maxAgeSeconds: 3600, pruneEvery: 1_000_000 });
    const now = nowNano();
    await backend.write(makeEvent(1, { timeNano: now - 7200n * 1_000_000_000n }));
    await backend.write(makeEvent(2, { timeNano: now - 60n * 1_000_000_000n }));
    await backend.write(makeEvent(3, { timeNano: now }));
    expect(backend.prune()).toBe(1);
    expect((await collect(backend.read())).map((e) => e.name)).toEqual(['ctr-2', 'ctr-3']);
  });

  it('never reuses a sequence number, so a follower misses nothing after pruning everything', async () => {
    const backend = open({ maxEvents: 1 });
    await backend.write(makeEvent(1));
    await backend.write(makeEvent(2));
    backend.prune();
    const abort = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of backend.read({ follow: true, signal: abort.signal })) {
        seen.push(e.name);
        if (seen.length === 2) abort.abort();
      }
    })();
    await backend.write(makeEvent(3));
    await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
    abort.abort();
    expect(seen).toEqual(['ctr-2', 'ctr-3']);
  });

  it('runs filters in SQL with exactly the meaning of core matchEvent', async () => {
    // A seeded generator: the same mixed events and filters every run.
    let seed = 42;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
    const types: EventType[] = ['container', 'exec', 'image', 'network'];
    const ids = ['aa11', 'aa22', 'ab33', 'b%_x', 'c'];
    const names = ['web', 'db', 'aa22', 'x_y'];
    const images = ['busybox', 'localhost/pg:16', 'aa11'];
    const actions = ['create', 'start', 'died', 'remove'];
    const labelKeys = ['app', 'tier', 'a=b', 'é'];
    const labelValues = ['', 'shop', 'x=y', 'front'];
    const backend = open();
    const events: CorralEvent[] = [];
    for (let n = 0; n < 300; n++) {
      const attributes: Record<string, string> = {};
      for (let k = rnd(3); k > 0; k--) attributes[pick(labelKeys)] = pick(labelValues);
      const e = makeEvent(n % 40, { type: pick(types), id: pick(ids), name: pick(names), image: pick(images), action: pick(actions), attributes });
      events.push(e);
      await backend.write(e);
    }
    const valuesFor: Record<string, () => string> = {
      container: () => pick([...ids, ...names, 'a', 'b%', '']).toString() || 'aa',
      event: () => pick(actions),
      image: () => pick([...images, 'aa', 'a']),
      type: () => pick(types),
      label: () => {
        const k = pick(labelKeys);
        return rnd(2) ? k : `${k}=${pick(labelValues)}`;
      },
    };
    let selective = 0;
    for (let round = 0; round < 200; round++) {
      const filters: Record<string, string[]> = {};
      for (const key of Object.keys(valuesFor)) {
        if (rnd(3) === 0) filters[key] = Array.from({ length: 1 + rnd(2) }, valuesFor[key]!);
      }
      const since = rnd(2) ? makeEvent(rnd(40)).timeNano : undefined;
      const until = rnd(2) ? makeEvent(rnd(40)).timeNano : undefined;
      const filter = { filters, since, until };
      const expected = events.filter((e) => matchEvent(e, filter));
      const got = await collect(backend.read(filter));
      expect(got, JSON.stringify(filter, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).toEqual(expected);
      if (expected.length > 0 && expected.length < events.length) selective++;
    }
    expect(selective).toBeGreaterThan(50);
  });

  it('serves a type+action filter from an index', () => {
    const backend = open();
    backend.prune(); // opens and creates the schema
    const db = new Database(file, { readonly: true });
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT seq FROM events e WHERE e.action = 'died' AND e.time_ns >= 5 ORDER BY seq")
      .all()
      .map((r: any) => r.detail)
      .join('\n');
    db.close();
    expect(plan).toMatch(/USING (COVERING )?INDEX/);
  });

  it('rejects a bad retention config', () => {
    expect(() => open({ maxEvents: 0 })).toThrow(/maxEvents/);
    expect(() => open({ maxAgeSeconds: -1 })).toThrow(/maxAgeSeconds/);
  });
});
