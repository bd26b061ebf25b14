import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SqliteStateStore } from '../src/index.js';
import { finished, spawnHelper, waitForOutput } from './helpers/spawn.js';

// CORRAL_CRASH_RUNS lowers the count on a slow machine; 50 is the number.
const RUNS = Number(process.env.CORRAL_CRASH_RUNS ?? 50);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-state-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Opens the database after a crash and checks that every container is whole. */
async function checkWhole(path: string): Promise<number> {
  const store = await SqliteStateStore.open({ path });
  try {
    const db = store.database.raw;
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const configs = db.prepare('SELECT count(*) FROM containers').pluck().get() as number;
    const states = db.prepare('SELECT count(*) FROM container_states').pluck().get() as number;
    expect(states).toBe(configs);
    expect(db.prepare("SELECT count(*) FROM containers WHERE name LIKE 'half-%'").pluck().get()).toBe(0);
    const all = await store.containers.list();
    expect(all).toHaveLength(configs);
    for (const { config } of all) {
      // The dependency edges were written in the same transaction as the config.
      for (const dep of config.dependencies) expect(await store.containers.dependents(dep)).toContain(config.id);
    }
    return configs;
  } finally {
    store.close();
  }
}

it(`survives ${RUNS} SIGKILLs in the middle of write transactions`, async () => {
  const path = join(dir, 'state.db');
  let previous = 0;
  for (let run = 0; run < RUNS; run++) {
    const mode = run % 2 === 0 ? 'pause' : 'loop';
    const child = spawnHelper('crash-writer.ts', [path, mode]);
    const done = finished(child);
    await waitForOutput(child, mode === 'pause' ? 'mid' : 'ready');
    if (mode === 'loop') await sleep(20 + Math.random() * 120);
    child.kill('SIGKILL');
    const result = await done;
    expect(result.signal, result.stderr).toBe('SIGKILL');
    const count = await checkWhole(path);
    expect(count).toBeGreaterThanOrEqual(previous);
    previous = count;
  }
  expect(previous).toBeGreaterThan(0);
}, 180_000);
