import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ContainerStatus, initialState } from '@corral/core';
import { SqliteStateStore } from '../src/index.js';
import { finished, spawnHelper } from './helpers/spawn.js';

const WORKERS = 8;
const OPS = 200;

// Same naming and sequence as helpers/worker.ts.
const containerId = (w: number, k: number): string =>
  `${w.toString(16).padStart(4, '0')}${k.toString(16).padStart(4, '0')}`.padEnd(64, 'e');

/** What one worker's operations leave behind: container id -> pid of its saved state. */
function expectedOf(worker: number): Map<string, number> {
  const left = new Map<string, number>();
  let calls = 0;
  for (let k = 0; calls < OPS; k++) {
    const id = containerId(worker, k);
    left.set(id, -1);
    if (++calls >= OPS) break;
    left.set(id, k);
    if (++calls >= OPS) break;
    if (k % 2 === 1) {
      left.delete(id);
      calls++;
    }
  }
  return left;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-state-multi-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it(`${WORKERS} processes x ${OPS} create/update/remove calls on one database all succeed, with exact final contents`, async () => {
  const path = join(dir, 'state.db');
  const results = await Promise.all(
    Array.from({ length: WORKERS }, (_, w) => finished(spawnHelper('worker.ts', [path, String(w), String(OPS)]))),
  );
  for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
  const summaries = results.map((r) => JSON.parse(r.stdout) as { calls: number; wonShared: boolean });
  expect(summaries.every((s) => s.calls === OPS)).toBe(true);
  expect(summaries.filter((s) => s.wonShared)).toHaveLength(1);

  const store = await SqliteStateStore.open({ path });
  try {
    const all = await store.containers.list();
    const byId = new Map(all.map((r) => [r.config.id, r]));
    const expected = new Map<string, number>();
    for (let w = 0; w < WORKERS; w++) for (const [id, pid] of expectedOf(w)) expected.set(id, pid);
    const shared = all.filter((r) => r.config.name === 'shared');
    expect(shared).toHaveLength(1);
    expect(all).toHaveLength(expected.size + 1);
    for (const [id, pid] of expected) {
      const record = byId.get(id);
      expect(record, id).toBeDefined();
      expect(record!.state).toEqual(
        pid === -1 ? initialState(ContainerStatus.Configured) : { ...initialState(ContainerStatus.Running), pid },
      );
    }
    expect(store.database.raw.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    store.close();
  }
}, 120_000);
