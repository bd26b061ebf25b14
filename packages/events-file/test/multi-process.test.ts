import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FileEventBackend } from '../src/index.js';
import { startWriters } from '@corral/testkit/writers';

const WRITERS = 8;
const PER_WRITER = 2000;
// ~3.7 MB are written: about 7 rotations at the default 1 MiB. MP_MAX_SIZE explores
// smaller sizes; below ~128 KiB a follower starved of CPU by the 8 writers on 2 cores
// can miss two whole generations and lose events (see file-event-backend.ts).
const MAX_SIZE = Number(process.env.MP_MAX_SIZE ?? 1024 * 1024);
const script = fileURLToPath(new URL('./helpers/write-events.ts', import.meta.url));

describe('FileEventBackend with many writing processes', () => {
  let dir: string | undefined;
  let kill: (() => void) | undefined;
  afterEach(() => {
    kill?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`a follower sees all ${WRITERS * PER_WRITER} events of ${WRITERS} writers exactly once, in order, across rotations`, async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-events-mp-'));
    const file = path.join(dir, 'events.log');
    const warnings: unknown[] = [];
    const logger: any = { warn: (o: unknown) => warnings.push(o), debug: () => {} };
    const reader = new FileEventBackend({ path: file, maxSize: MAX_SIZE, pollIntervalMs: 20, logger });

    const writers = await startWriters(script, WRITERS, (i) => [file, String(i), String(PER_WRITER), String(MAX_SIZE)]);
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
    const codes = await writers.exited;
    expect(codes).toEqual(new Array(WRITERS).fill(0));
    const timer = setTimeout(() => abort.abort(), 60_000);
    await follower;
    clearTimeout(timer);
    reader.close();

    const generation = JSON.parse(fs.readFileSync(file, 'utf8').split('\n', 1)[0]!).generation;
    expect(problems.slice(0, 10)).toEqual([]);
    expect(warnings).toEqual([]);
    expect(total).toBe(WRITERS * PER_WRITER);
    expect(next).toEqual(new Array(WRITERS).fill(PER_WRITER));
    expect(generation).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
