import type Database from 'better-sqlite3';

export interface Migration {
  /** The schema version this migration produces (PRAGMA user_version). */
  readonly version: number;
  readonly description: string;
  up(db: Database.Database): void;
}

/**
 * Every schema the store has had, oldest first. A migration is never edited once
 * released: databases in the field were written by it. Add a new one instead.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'containers (config and state apart), exec sessions, exit codes',
    up(db) {
      db.exec(`
        CREATE TABLE containers (
          id     TEXT PRIMARY KEY NOT NULL,
          name   TEXT NOT NULL UNIQUE,
          config TEXT NOT NULL
        );
        CREATE TABLE container_states (
          id    TEXT PRIMARY KEY NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
          state TEXT NOT NULL
        );
        CREATE TABLE exec_sessions (
          id           TEXT PRIMARY KEY NOT NULL,
          container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
          session      TEXT NOT NULL
        );
        CREATE INDEX exec_sessions_by_container ON exec_sessions(container_id);
        CREATE TABLE exit_codes (
          container_id TEXT PRIMARY KEY NOT NULL,
          exit_code    INTEGER NOT NULL,
          recorded_at  INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    description:
      'integer row keys joining config and state; dependency edges (backfilled from configs); networks and allocations',
    up(db) {
      // Rebuilt the way SQLite documents it (new table, copy, drop, rename), with
      // foreign keys off: the caller switches them off for the migration.
      db.exec(`
        CREATE TABLE containers_v2 (
          rid    INTEGER PRIMARY KEY,
          id     TEXT NOT NULL UNIQUE,
          name   TEXT NOT NULL UNIQUE,
          config TEXT NOT NULL
        );
        INSERT INTO containers_v2 (rid, id, name, config) SELECT rowid, id, name, config FROM containers ORDER BY rowid;
        CREATE TABLE container_states_v2 (
          rid   INTEGER PRIMARY KEY REFERENCES containers_v2(rid) ON DELETE CASCADE,
          state TEXT NOT NULL
        );
        INSERT INTO container_states_v2 (rid, state)
          SELECT c.rid, s.state FROM container_states s JOIN containers_v2 c ON c.id = s.id;
        DROP TABLE container_states;
        DROP TABLE containers;
        ALTER TABLE containers_v2 RENAME TO containers;
        ALTER TABLE container_states_v2 RENAME TO container_states;

        CREATE TABLE dependencies (
          container_id  TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
          dependency_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
          PRIMARY KEY (container_id, dependency_id)
        ) WITHOUT ROWID;
        CREATE INDEX dependencies_by_dependency ON dependencies(dependency_id);
        INSERT OR IGNORE INTO dependencies (container_id, dependency_id)
          SELECT c.id, d.value FROM containers c, json_each(c.config, '$.dependencies') d
          WHERE d.value IN (SELECT id FROM containers);
        CREATE INDEX exit_codes_by_time ON exit_codes(recorded_at);
        CREATE TABLE networks (
          id         TEXT PRIMARY KEY NOT NULL,
          name       TEXT NOT NULL UNIQUE,
          definition TEXT NOT NULL
        );
        CREATE TABLE network_allocations (
          network_id   TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
          ip           TEXT NOT NULL,
          container_id TEXT NOT NULL,
          PRIMARY KEY (network_id, ip)
        ) WITHOUT ROWID;
        CREATE INDEX network_allocations_by_container ON network_allocations(container_id);
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Applies the migrations after `from`, up to `to`. The caller holds a write
 * transaction and has foreign keys switched off (they are checked here at the end).
 */
export function migrate(db: Database.Database, from: number, to = SCHEMA_VERSION): void {
  for (const m of MIGRATIONS) {
    if (m.version > from && m.version <= to) m.up(db);
  }
  const broken = db.pragma('foreign_key_check') as unknown[];
  if (broken.length > 0) throw new Error(`migration to schema ${to} left ${broken.length} broken references`);
  db.pragma(`user_version = ${to}`);
}
