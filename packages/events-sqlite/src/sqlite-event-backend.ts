import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  ErrorCode,
  InvalidArgumentError,
  StateStoreError,
  type CorralEvent,
  type EventBackend,
  type EventReadOptions,
  type EventType,
  type Logger,
} from '@corral/core';
import { followDeadlineMs, nowNano } from '@corral/core/events/time';
import { applySchema } from './schema.js';
import { whereClause } from './query.js';

export const DEFAULT_MAX_EVENTS = 100_000;
export const DEFAULT_MAX_AGE_SECONDS = 30 * 24 * 3600;

export interface SqliteEventBackendOptions {
  path: string;
  /** Keep at most this many events (default 100,000). */
  maxEvents?: number;
  /** Drop events older than this (default 30 days; 0 keeps them forever). */
  maxAgeSeconds?: number;
  /** Retention runs on every n-th write of this instance (default 100) and at open. */
  pruneEvery?: number;
  /** How often a follower polls for rows written by other processes. */
  pollIntervalMs?: number;
  logger?: Logger;
}

interface Row {
  seq: bigint;
  time_ns: bigint;
  type: string;
  action: string;
  id: string;
  name: string;
  image: string;
  exit_code: bigint | null;
  error: string | null;
  attributes: string;
}

const BATCH = 500;

function rowToEvent(row: Row): CorralEvent {
  const event: CorralEvent = {
    timeNano: row.time_ns,
    type: row.type as EventType,
    action: row.action,
    id: row.id,
    name: row.name,
    image: row.image,
    attributes: JSON.parse(row.attributes),
  };
  if (row.exit_code !== null) event.exitCode = Number(row.exit_code);
  if (row.error !== null) event.error = row.error;
  return event;
}

/**
 * Events in SQLite: filters and time bounds run as SQL over indexed columns,
 * retention by count and age, many writing processes through WAL and busy_timeout.
 * Followers read rows past the last sequence number they saw; writes of this
 * instance wake them at once, other processes' writes within a poll interval.
 */
export class SqliteEventBackend implements EventBackend {
  readonly path: string;
  readonly maxEvents: number;
  readonly maxAgeSeconds: number;
  readonly #pruneEvery: number;
  readonly #pollMs: number;
  readonly #logger: Logger | undefined;
  #db: Database.Database | undefined;
  #insert: ((event: CorralEvent) => void) | undefined;
  #maxSeq: Database.Statement | undefined;
  #writes = 0;
  #wakers = new Set<() => void>();

  constructor(options: SqliteEventBackendOptions) {
    this.path = options.path;
    this.maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
    if (!Number.isSafeInteger(this.maxEvents) || this.maxEvents < 1) {
      throw new InvalidArgumentError(`events-sqlite maxEvents must be a positive integer, got ${options.maxEvents}`);
    }
    if (!Number.isFinite(this.maxAgeSeconds) || this.maxAgeSeconds < 0) {
      throw new InvalidArgumentError(`events-sqlite maxAgeSeconds must be >= 0, got ${options.maxAgeSeconds}`);
    }
    this.#pruneEvery = options.pruneEvery ?? 100;
    this.#pollMs = options.pollIntervalMs ?? 50;
    this.#logger = options.logger;
  }

  async write(event: CorralEvent): Promise<void> {
    this.writeSync(event);
  }

  writeSync(event: CorralEvent): void {
    try {
      this.#open();
      this.#insert!(event);
      if (++this.#writes % this.#pruneEvery === 0) this.prune();
    } catch (err) {
      throw new StateStoreError(ErrorCode.StateStore, `cannot write event ${event.action} ${event.id} to ${this.path}`, {
        cause: err,
      });
    }
    const wakers = this.#wakers;
    this.#wakers = new Set();
    for (const wake of wakers) wake();
  }

  /** Applies the retention policy now; returns how many events it removed. */
  prune(): number {
    const db = this.#open();
    // IMMEDIATE: a deferred transaction that reads first cannot wait for the write lock
    // in WAL mode (SQLITE_BUSY at once when another process committed meanwhile).
    const removed = db
      .transaction(() => {
        let n = 0;
        if (this.maxAgeSeconds > 0) {
          const cutoff = nowNano() - BigInt(Math.round(this.maxAgeSeconds * 1000)) * 1_000_000n;
          n += db.prepare('DELETE FROM events WHERE time_ns < ?').run(cutoff).changes;
        }
        n += db
          .prepare('DELETE FROM events WHERE seq <= (SELECT seq FROM events ORDER BY seq DESC LIMIT 1 OFFSET ?)')
          .run(this.maxEvents).changes;
        return n;
      })
      .immediate();
    if (removed > 0) this.#logger?.debug({ path: this.path, removed }, 'pruned events');
    this.#optimize(db, 'optimize');
    return removed;
  }

  /** Refreshes planner statistics; only an optimisation, so contention just skips it. */
  #optimize(db: Database.Database, pragma: string): void {
    try {
      db.transaction(() => db.pragma(pragma)).immediate();
    } catch (err) {
      this.#logger?.debug({ err, path: this.path }, 'skipped PRAGMA optimize');
    }
  }

  async *read(options: EventReadOptions = {}): AsyncIterable<CorralEvent> {
    const { sql, params } = whereClause(options);
    const { signal, follow, until } = options;
    const db = this.#open();
    const select = db
      .prepare(
        `SELECT e.seq, e.time_ns, e.type, e.action, e.id, e.name, e.image, e.exit_code, e.error, e.attributes
         FROM events e WHERE e.seq > ? AND e.seq <= ? AND ${sql} ORDER BY e.seq LIMIT ${BATCH}`,
      )
      .safeIntegers(true);
    let last = 0n;
    for (;;) {
      if (signal?.aborted) return;
      const high = this.#highestSeq();
      while (last < high) {
        const rows = select.all(last, high, ...params) as Row[];
        for (const row of rows) {
          if (signal?.aborted) return;
          last = row.seq;
          yield rowToEvent(row);
        }
        if (rows.length < BATCH) last = high;
      }
      if (!follow) return;
      const deadlineMs = followDeadlineMs(until);
      if (deadlineMs === 'passed') return;
      await this.#waitForWrite(signal, deadlineMs);
    }
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
    this.#insert = undefined;
    this.#maxSeq = undefined;
  }

  /** The largest sequence number ever assigned (0 when none). */
  #highestSeq(): bigint {
    const row = this.#maxSeq!.get() as { seq: bigint } | undefined;
    return row?.seq ?? 0n;
  }

  #waitForWrite(signal: AbortSignal | undefined, deadlineMs: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const ms = deadlineMs === undefined ? this.#pollMs : Math.min(this.#pollMs, deadlineMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  #open(): Database.Database {
    if (this.#db) return this.#db;
    let db: Database.Database | undefined;
    try {
      fs.mkdirSync(path.dirname(this.path), { recursive: true });
      db = new Database(this.path, { timeout: 10_000 });
      applySchema(db);
      // Table statistics let the planner prefer a selective index over a seq range scan.
      this.#optimize(db, 'optimize = 0x10002');
      const insertEvent = db.prepare(
        `INSERT INTO events (time_ns, type, action, id, name, image, exit_code, error, attributes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const insertLabel = db.prepare('INSERT INTO event_labels (seq, key, value) VALUES (?, ?, ?)');
      const insert = db.transaction((event: CorralEvent) => {
        const { lastInsertRowid } = insertEvent.run(
          event.timeNano,
          event.type,
          event.action,
          event.id,
          event.name,
          event.image,
          event.exitCode ?? null,
          event.error ?? null,
          JSON.stringify(event.attributes),
        );
        for (const [key, value] of Object.entries(event.attributes)) insertLabel.run(lastInsertRowid, key, value);
      });
      this.#insert = (event) => insert.immediate(event);
      this.#maxSeq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").safeIntegers(true);
      this.#db = db;
      this.prune();
      return db;
    } catch (err) {
      db?.close();
      this.#db = undefined;
      throw new StateStoreError(ErrorCode.StateStore, `cannot open event database ${this.path}`, { cause: err });
    }
  }
}
