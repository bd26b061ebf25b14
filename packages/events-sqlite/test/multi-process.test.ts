import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventBackend } from '../src/index.js';
import { startWriters } from '@corral/testkit/writers';

const WRITERS = 8;
const PER_WRITER = 2000;
const script = fileURLToPath(new URL('./helpers/write-events.ts', import.meta.url));

describe('SqliteEventBackend with many writing processes', () => {
  let dir: string | undefined;
  let kill: (() => void) | undefined;
  afterEach(() => {
    kill?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`a follower sees all ${WRITERS * PER_WRITER} events of ${WRITERS} writers exactly once, in order`, async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-events-sqlite-mp-'));
    const file = path.join(dir, 'events.db');
    const reader = new SqliteEventBackend({ path: file, maxAgeSeconds: 0, pollIntervalMs: 20 });
    reader.prune();

    const writers = await startWriters(script, WRITERS, (i) => [file, String(i), String(PER_WRITER)]);
    kill = writers.kill;

    const abort = new AbortController();
    const next = new Array<number>(WRITERS).fill(0);
    const problems: string[] = [];
    let total = 0;
    const follower = (async () => {
      for await (const e of reader.read({ follow: true, signal: abort.signal })) {
        const w = Number(e.attributes.writer);
        const seq = Number(e.attributes.seq);
        if (seq !== next[w]) problems.push(`writer ${w}: got ${seq}, expected ${next[w]}`);
        next[w] = seq + 1;
        if (++total === WRITERS * PER_WRITER) abort.abort();
      }
    })();
    writers.go();
    expect(await writers.exited).toEqual(new Array(WRITERS).fill(0));
    const timer = setTimeout(() => abort.abort(), 60_000);
    await follower;
    clearTimeout(timer);
    reader.close();

    expect(problems.slice(0, 10)).toEqual([]);
    expect(total).toBe(WRITERS * PER_WRITER);
    expect(next).toEqual(new Array(WRITERS).fill(PER_WRITER));
  }, 120_000);
});
