import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContainerStatus, ErrorCode, StateStoreError, initialState } from '@corral/core';
import { sampleConfig } from '@corral/testkit/suites/state-store';
import { SqliteStateStore } from '../src/index.js';

const sha = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-state-corrupt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectCorrupt(promise: Promise<unknown>, path: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StateStoreError);
  expect((err as StateStoreError).code).toBe(ErrorCode.StateCorrupt);
  expect((err as Error).message).toContain(path);
}

describe('a corrupt or unreadable database file', () => {
  it('that is not a database at all: STATE_CORRUPT naming the file, nothing written', async () => {
    const path = join(dir, 'state.db');
    await writeFile(path, randomBytes(16_384));
    const before = await sha(path);
    await expectCorrupt(SqliteStateStore.open({ path }), path);
    expect(await sha(path)).toBe(before);
    expect(await readdir(dir)).toEqual(['state.db']);
  });

  it('whose pages are damaged: STATE_CORRUPT naming the file, nothing written', async () => {
    const path = join(dir, 'state.db');
    const store = await SqliteStateStore.open({ path });
    for (let i = 0; i < 300; i++) {
      await store.containers.add(sampleConfig({ labels: { pad: 'p'.repeat(500) } }), initialState(ContainerStatus.Configured));
    }
    store.close();
    // Keep page 1 (header and schema) intact; wreck the pages holding the rows.
    const file = await open(path, 'r+');
    const { size } = await file.stat();
    await file.write(randomBytes(size - 8192), 0, size - 8192, 8192);
    await file.close();
    const before = await sha(path);
    const attempt = (async () => {
      const reopened = await SqliteStateStore.open({ path });
      try {
        await reopened.containers.list();
      } finally {
        reopened.close();
      }
    })();
    await expectCorrupt(attempt, path);
    expect(await sha(path)).toBe(before);
  });

  it('that is a directory: STATE_CORRUPT naming the path', async () => {
    const path = join(dir, 'state.db');
    await mkdir(path);
    await expectCorrupt(SqliteStateStore.open({ path }), path);
    expect(await readdir(path)).toEqual([]);
  });

  it("that is another program's SQLite database: STATE_CORRUPT, untouched", async () => {
    const path = join(dir, 'state.db');
    const foreign = new Database(path);
    foreign.exec("CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('la');");
    foreign.close();
    const before = await sha(path);
    await expectCorrupt(SqliteStateStore.open({ path }), path);
    expect(await sha(path)).toBe(before);
    expect(await readdir(dir)).toEqual(['state.db']);
  });
});
