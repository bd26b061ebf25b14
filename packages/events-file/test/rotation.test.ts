import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CorralEvent } from '@corral/core';
import { makeEvent } from '@corral/testkit/suites/event-backend';
import { FileEventBackend } from '../src/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function header(file: string): { generation: number; base: number } {
  const first = fs.readFileSync(file, 'utf8').split('\n', 1)[0]!;
  return JSON.parse(first);
}

async function collect(it: AsyncIterable<CorralEvent>): Promise<CorralEvent[]> {
  const out: CorralEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('FileEventBackend rotation', () => {
  let dir: string;
  let file: string;
  const opened: FileEventBackend[] = [];
  const open = (maxSize: number): FileEventBackend => {
    const b = new FileEventBackend({ path: file, maxSize, pollIntervalMs: 10 });
    opened.push(b);
    return b;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-events-rot-'));
    file = path.join(dir, 'events.log');
  });
  afterEach(() => {
    for (const b of opened.splice(0)) b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes one JSON line per event after a header, time as a decimal string', async () => {
    const backend = open(1 << 20);
    await backend.write(makeEvent(1, { exitCode: 3 }));
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ 'corral-events': 1, generation: 0, base: 0 });
    expect(JSON.parse(lines[1]!).timeNano).toBe(makeEvent(1).timeNano.toString());
    expect(lines[2]).toBe('');
  });

  it('keeps the newest half, contiguous and in order, with a consistent base', async () => {
    const backend = open(4096);
    const lineBytes: number[] = [];
    for (let n = 0; n < 400; n++) {
      const e = makeEvent(n);
      await backend.write(e);
      lineBytes.push(Buffer.byteLength(JSON.stringify({ ...e, timeNano: e.timeNano.toString() })) + 1);
    }
    const size = fs.statSync(file).size;
    expect(size).toBeLessThanOrEqual(4096 + 300);
    const h = header(file);
    expect(h.generation).toBeGreaterThan(10);
    const got = await collect(backend.read());
    const first = Number((got[0]!.timeNano - makeEvent(0).timeNano) / 1_000_000_000n);
    expect(got.map((e) => e.name)).toEqual(Array.from({ length: 400 - first }, (_, i) => `ctr-${first + i}`));
    // base is the byte length of every event line before the first kept one
    expect(h.base).toBe(lineBytes.slice(0, first).reduce((a, b) => a + b, 0));
    // the kept part is about half of maxSize after the last rotation
    expect(got.length * lineBytes[0]!).toBeGreaterThan(1024);
  });

  it('rotates a log written by several instances without dropping a line', async () => {
    const a = open(8192);
    const b = open(8192);
    for (let n = 0; n < 300; n++) await (n % 2 ? a : b).write(makeEvent(n));
    const got = await collect(open(8192).read());
    const names = got.map((e) => e.name);
    const first = Number(names[0]!.slice(4));
    expect(names).toEqual(Array.from({ length: 300 - first }, (_, i) => `ctr-${first + i}`));
  });

  it('a follower reads across many rotations with nothing lost or repeated', async () => {
    const writer = open(4096);
    const reader = open(4096);
    const abort = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of reader.read({ follow: true, signal: abort.signal })) {
        seen.push(e.name);
        if (seen.length === 1000) abort.abort();
      }
    })();
    for (let n = 0; n < 1000; n++) {
      await writer.write(makeEvent(n));
      // Let the follower run now and then, as a separate process would.
      if (n % 5 === 0) await sleep(1);
    }
    await Promise.race([done, sleep(20_000).then(() => abort.abort())]);
    expect(header(file).generation).toBeGreaterThan(20);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, n) => `ctr-${n}`));
  });

  it('a reader that holds a rotated-away generation finishes it and continues at the right event', async () => {
    const writer = open(4096);
    for (let n = 0; n < 10; n++) await writer.write(makeEvent(n));
    const reader = open(4096);
    const it = reader.read({ follow: true, signal: AbortSignal.timeout(20_000) })[Symbol.asyncIterator]();
    expect((await it.next()).value.name).toBe('ctr-0');
    // The reader holds generation 0 open; rotate under it, then write a few more.
    let n = 10;
    while (header(file).generation === 0) await writer.write(makeEvent(n++));
    const total = n + 3;
    while (n < total) await writer.write(makeEvent(n++));
    const rest: string[] = [];
    for (let i = 1; i < total; i++) rest.push((await it.next()).value.name);
    expect(rest).toEqual(Array.from({ length: total - 1 }, (_, i) => `ctr-${i + 1}`));
    await it.return?.();
  });

  it('a follower more than a kept half behind skips only discarded events, logs it, repeats none', async () => {
    const warnings: unknown[] = [];
    const logger: any = { warn: (o: unknown) => warnings.push(o), debug: () => {} };
    const writer = open(4096);
    for (let n = 0; n < 5; n++) await writer.write(makeEvent(n));
    const reader = new FileEventBackend({ path: file, maxSize: 4096, pollIntervalMs: 10, logger });
    opened.push(reader);
    const it = reader.read({ follow: true, signal: AbortSignal.timeout(20_000) })[Symbol.asyncIterator]();
    expect((await it.next()).value.name).toBe('ctr-0');
    // Many rotations while the reader does not look: the oldest unread ones are gone.
    for (let n = 5; n < 200; n++) await writer.write(makeEvent(n));
    const rest: number[] = [];
    for (;;) {
      const r = await it.next();
      rest.push(Number(r.value.name.slice(4)));
      if (rest.at(-1) === 199) break;
    }
    await it.return?.();
    // In order, no repeat, and exactly one gap: the discarded stretch.
    const gaps = rest.slice(1).map((v, i) => v - rest[i]!);
    expect(rest[0]).toBe(1);
    expect(gaps.every((g) => g >= 1)).toBe(true);
    expect(gaps.filter((g) => g > 1)).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path: file });
  });

  it('drops a torn last line at rotation instead of gluing the next event to it', async () => {
    const backend = open(4096);
    await backend.write(makeEvent(0));
    fs.appendFileSync(file, '{"timeNano":"12');
    for (let n = 1; n < 60; n++) await backend.write(makeEvent(n));
    expect(header(file).generation).toBeGreaterThan(0);
    const got = await collect(backend.read());
    expect(got.at(-1)!.name).toBe('ctr-59');
  });

  it('rejects a maxSize below 1 KiB', () => {
    expect(() => new FileEventBackend({ path: file, maxSize: 10 })).toThrow(/maxSize/);
  });
});
