// Writes test/fixtures/state-v1.db: a database as schema version 1 left it, for the
// migration test. Run once: node --import tsx test/helpers/make-v1-fixture.ts
// (the fixture is committed; rerunning it changes ids and timestamps).
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ContainerStatus, initialState } from '@corral/core';
import { MIGRATIONS } from '../../src/migrations.js';
import { sampleConfig, sampleExecSession } from './samples.js';

const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'state-v1.db');
rmSync(path, { force: true });
const db = new Database(path);
db.pragma('journal_mode = DELETE');
db.transaction(() => {
  MIGRATIONS[0]!.up(db);
  const database = sampleConfig({ id: `db${'0'.repeat(62)}`, name: 'database' });
  const app = sampleConfig({ id: `ap${'1'.repeat(62)}`, name: 'app', dependencies: [database.id] });
  const lone = sampleConfig({ id: `ap${'2'.repeat(62)}`, name: 'lone' });
  for (const c of [database, app, lone]) {
    db.prepare('INSERT INTO containers (id, name, config) VALUES (?, ?, ?)').run(c.id, c.name, JSON.stringify(c));
    db.prepare('INSERT INTO container_states (id, state) VALUES (?, ?)').run(
      c.id,
      JSON.stringify({ ...initialState(ContainerStatus.Exited), exitCode: 0 }),
    );
  }
  const session = sampleExecSession(app.id);
  db.prepare('INSERT INTO exec_sessions (id, container_id, session) VALUES (?, ?, ?)').run(
    `ex${'3'.repeat(62)}`,
    app.id,
    JSON.stringify({ ...session, id: `ex${'3'.repeat(62)}` }),
  );
  db.prepare('INSERT INTO exit_codes (container_id, exit_code, recorded_at) VALUES (?, ?, ?)').run(
    `gone${'4'.repeat(60)}`,
    3,
    // Far in the future, so the fixture's code is never pruned by age.
    Date.UTC(2999, 0, 1),
  );
  db.pragma('user_version = 1');
})();
db.close();
