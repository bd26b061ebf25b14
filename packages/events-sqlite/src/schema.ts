import type Database from 'better-sqlite3';

/**
 * `seq` is AUTOINCREMENT so a sequence number is never reused after retention
 * deletes rows: followers remember the last seq they saw. SQLite has one writer at a
 * time and assigns seq inside the writing transaction, so commits happen in seq order
 * and "every row with seq <= max(seq)" is a complete, stable prefix.
 *
 * Attributes are stored twice: as JSON for the round trip, and one row per key in
 * event_labels so label filters run as indexed lookups.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ns   INTEGER NOT NULL,
  type      TEXT NOT NULL,
  action    TEXT NOT NULL,
  id        TEXT NOT NULL,
  name      TEXT NOT NULL,
  image     TEXT NOT NULL,
  exit_code INTEGER,
  error     TEXT,
  attributes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_time ON events(time_ns);
CREATE INDEX IF NOT EXISTS events_type ON events(type);
CREATE INDEX IF NOT EXISTS events_action ON events(action);
CREATE INDEX IF NOT EXISTS events_id ON events(id);
CREATE INDEX IF NOT EXISTS events_name ON events(name);
CREATE INDEX IF NOT EXISTS events_image ON events(image);
CREATE TABLE IF NOT EXISTS event_labels (
  seq   INTEGER NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (seq, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS event_labels_kv ON event_labels(key, value);
`;

export function applySchema(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
}
