import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContainerStatus, initialState } from '@corral/core';
import { sampleConfig, sampleNetwork } from '@corral/testkit/suites/state-store';
import { SCHEMA_VERSION, SqliteStateStore } from '../src/index.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'state-v1.db');
const sha = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-state-migrate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('schema migrations', () => {
  it('creates a fresh database at the current schema version, in WAL mode', async () => {
    const store = await SqliteStateStore.open({ path: join(dir, 'sub', 'state.db') });
    try {
      expect(store.database.raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(store.database.raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      store.close();
    }
  });

  it('migrates a version 1 database (the fixture) and keeps its contents', async () => {
    const before = await sha(fixture);
    const path = join(dir, 'state.db');
    await copyFile(fixture, path);
    const store = await SqliteStateStore.open({ path });
    try {
      expect(store.database.raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(store.database.raw.pragma('integrity_check', { simple: true })).toBe('ok');
      const app = await store.containers.lookup('app');
      const db = await store.containers.lookup('database');
      expect((await store.containers.getConfig(app)).dependencies).toEqual([db]);
      expect((await store.containers.getState(app)).status).toBe(ContainerStatus.Exited);
      expect((await store.containers.list()).map((r) => r.config.name).sort()).toEqual(['app', 'database', 'lone']);
      // Version 2 built the dependency table from the configs.
      expect(await store.containers.dependents(db)).toEqual([app]);
      expect(await store.containers.dependents(app)).toEqual([]);
      expect(await store.execSessions.listFor(app)).toHaveLength(1);
      expect(await store.exitCodes.get(`gone${'4'.repeat(60)}`)).toBe(3);
      // ...and the tables version 2 added work.
      await store.networks.add(sampleNetwork({ name: 'after-migration' }));
      await store.networks.allocate('after-migration', app, '10.89.0.2');
      await store.containers.add(sampleConfig({ name: 'new', dependencies: [app] }), initialState(ContainerStatus.Configured));
      expect(await store.containers.dependents(app)).toHaveLength(1);
      await store.containers.remove(db);
      expect(await store.containers.dependents(db)).toEqual([]);
      // The rebuilt tables still cascade: removing app takes its state and exec session.
      expect(store.database.raw.pragma('foreign_keys', { simple: true })).toBe(1);
      await store.containers.remove(app);
      expect(await store.execSessions.listFor(app)).toEqual([]);
      expect(store.database.raw.prepare('SELECT count(*) FROM container_states').pluck().get()).toBe(2);
      expect(store.database.raw.pragma('foreign_key_check')).toEqual([]);
    } finally {
      store.close();
    }
    expect(await sha(fixture)).toBe(before);
  });

  it('migrates once when several connections open an old database together', async () => {
    const path = join(dir, 'state.db');
    await copyFile(fixture, path);
    const stores = await Promise.all(Array.from({ length: 4 }, () => SqliteStateStore.open({ path })));
    try {
      for (const s of stores) expect(await s.containers.dependents(await s.containers.lookup('database'))).toHaveLength(1);
    } finally {
      for (const s of stores) s.close();
    }
  });

  it('refuses a database from a newer schema and leaves it alone', async () => {
    const path = join(dir, 'state.db');
    (await SqliteStateStore.open({ path })).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const before = await sha(path);
    await expect(SqliteStateStore.open({ path })).rejects.toMatchObject({
      code: 'STATE_STORE_ERROR',
      message: expect.stringContaining(path),
    });
    expect(await sha(path)).toBe(before);
  });
});
