import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventBackend } from '../src/index.js';
import { followWriters, startWriters } from '@corral/testkit/writers';

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

    const { codes, problems, total, next } = await followWriters(reader, writers, WRITERS, PER_WRITER);
    expect(codes).toEqual(new Array(WRITERS).fill(0));
    reader.close();

    expect(problems.slice(0, 10)).toEqual([]);
    expect(total).toBe(WRITERS * PER_WRITER);
    expect(next).toEqual(new Array(WRITERS).fill(PER_WRITER));
  }, 120_000);
});
