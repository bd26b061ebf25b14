import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '@corral/core';
import { FileEventBackend } from '../src/index.js';
import { followWriters, startWriters } from '@corral/testkit/writers';

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
    const logger: Logger = { ...silentLogger, warn: (o: object | string) => void warnings.push(o) };
    const reader = new FileEventBackend({ path: file, maxSize: MAX_SIZE, pollIntervalMs: 20, logger });

    const writers = await startWriters(script, WRITERS, (i) => [file, String(i), String(PER_WRITER), String(MAX_SIZE)]);
    kill = writers.kill;

    const { codes, problems, total, next } = await followWriters(reader, writers, WRITERS, PER_WRITER);
    expect(codes).toEqual(new Array(WRITERS).fill(0));
    reader.close();

    const generation = JSON.parse(fs.readFileSync(file, 'utf8').split('\n', 1)[0]!).generation;
    expect(problems.slice(0, 10)).toEqual([]);
    expect(warnings).toEqual([]);
    expect(total).toBe(WRITERS * PER_WRITER);
    expect(next).toEqual(new Array(WRITERS).fill(PER_WRITER));
    expect(generation).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
