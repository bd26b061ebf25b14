import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContainerStatus, initialState } from '@corral/core';
import { randomId, sampleConfig } from '@corral/testkit/suites/state-store';
import { EXIT_CODE_TTL_MS, SqliteStateStore } from '../src/index.js';

let dir: string;
let path: string;
let store: SqliteStateStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-state-sqlite-'));
  path = join(dir, 'state.db');
  store = await SqliteStateStore.open({ path });
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SqliteStateStore', () => {
  it('waits out a writer that holds the lock longer than the busy timeout', async () => {
    const config = sampleConfig();
    await store.containers.add(config, initialState(ContainerStatus.Configured));
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    // Longer than the 250 ms busy timeout: only the async retry gets past it.
    const release = new Promise<void>((resolve) =>
      setTimeout(() => {
        other.exec('COMMIT');
        other.close();
        resolve();
      }, 700),
    );
    await store.containers.saveState(config.id, { ...initialState(ContainerStatus.Running), pid: 7 });
    await release;
    expect((await store.containers.getState(config.id)).pid).toBe(7);
  });

  it('gives up with STATE_STORE_ERROR naming the file when the lock is never released', async () => {
    const impatient = await SqliteStateStore.open({ path, busyTimeoutMs: 10, retryForMs: 300 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expect(impatient.exitCodes.record(randomId(), 1)).rejects.toMatchObject({
        code: 'STATE_STORE_ERROR',
        message: expect.stringContaining(path),
      });
    } finally {
      other.exec('ROLLBACK');
      other.close();
      impatient.close();
    }
  });

  it('keeps config and state in separate tables', async () => {
    const config = sampleConfig();
    await store.containers.add(config, initialState(ContainerStatus.Configured));
    await store.containers.saveState(config.id, initialState(ContainerStatus.Running));
    const raw = store.database.raw;
    expect(JSON.parse(raw.prepare('SELECT config FROM containers WHERE id = ?').pluck().get(config.id) as string)).toEqual(config);
    expect(JSON.parse(raw.prepare('SELECT s.state FROM container_states s JOIN containers c USING (rid) WHERE c.id = ?').pluck().get(config.id) as string).status).toBe(
      ContainerStatus.Running,
    );
  });

  it('prunes exit codes older than five minutes whenever one is recorded', async () => {
    const old = randomId();
    store.database.raw
      .prepare('INSERT INTO exit_codes (container_id, exit_code, recorded_at) VALUES (?, ?, ?)')
      .run(old, 9, Date.now() - EXIT_CODE_TTL_MS - 1_000);
    expect(await store.exitCodes.get(old)).toBe(9);
    await store.exitCodes.record(randomId(), 0);
    expect(await store.exitCodes.get(old)).toBeUndefined();
  });

  it('lists records that behave as plain data (config parsed on first read)', async () => {
    const config = sampleConfig();
    const state = initialState(ContainerStatus.Exited);
    await store.containers.add(config, state);
    const [record] = await store.containers.list();
    expect(Object.keys(record!).sort()).toEqual(['config', 'state']);
    expect(JSON.parse(JSON.stringify(record))).toEqual({ config, state });
    expect(structuredClone(record)).toEqual({ config, state });
    expect({ ...record! }.config).toEqual(config);
    record!.config.labels.changed = 'yes';
    expect(record!.config.labels.changed).toBe('yes');
    const replacement = sampleConfig();
    record!.config = replacement;
    expect(record!.config).toBe(replacement);
    expect(await store.containers.getConfig(config.id)).toEqual(config);
  });

  it('persists across reopening', async () => {
    const config = sampleConfig({ name: 'durable' });
    await store.containers.add(config, initialState(ContainerStatus.Configured));
    store.close();
    store = await SqliteStateStore.open({ path });
    expect(await store.containers.lookup('durable')).toBe(config.id);
  });
});
