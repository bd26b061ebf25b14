import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { ErrorCode, StateStoreError, type Logger } from '@corral/core';
import { isBusy, wrapSqliteError } from './errors.js';
import { SCHEMA_VERSION, migrate } from './migrations.js';

export interface StateDatabaseOptions {
  path: string;
  /**
   * How long SQLite itself waits for a lock before answering SQLITE_BUSY. Kept short:
   * better-sqlite3 is synchronous, so this wait blocks the event loop; longer waits
   * happen in the async retry below, which does not.
   */
  busyTimeoutMs?: number;
  /** How long a call keeps retrying SQLITE_BUSY before it gives up with an error. */
  retryForMs?: number;
  logger?: Logger;
}

type Statement = Database.Statement<unknown[], unknown>;

/**
 * One connection to the state database: opened (and migrated) once, statements
 * prepared once, every call retried while another process holds the write lock.
 */
export class StateDatabase {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Statement>();
  readonly #transaction: Database.Transaction<(fn: () => unknown) => unknown>;
  readonly #retryForMs: number;
  readonly #logger: Logger | undefined;

  private constructor(db: Database.Database, options: StateDatabaseOptions) {
    this.path = options.path;
    this.#db = db;
    this.#retryForMs = options.retryForMs ?? 60_000;
    this.#logger = options.logger;
    this.#transaction = db.transaction((fn: () => unknown) => fn());
  }

  /**
   * Opens the database at `options.path`, creating it when absent, and migrates it to
   * the current schema. A file that is not a sound Corral database is left untouched
   * and reported with STATE_CORRUPT.
   */
  static async open(options: StateDatabaseOptions): Promise<StateDatabase> {
    const { path } = options;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const existing = statSync(path, { throwIfNoEntry: false });
    if (existing && !existing.isFile()) {
      throw new StateStoreError(ErrorCode.StateCorrupt, `state database ${path} is not a regular file`, {
        details: { path },
      });
    }
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: options.busyTimeoutMs ?? 250 });
    } catch (err) {
      throw wrapSqliteError(err, path, 'opening it');
    }
    const database = new StateDatabase(db, options);
    try {
      await database.#retry('opening it', () => database.#prepare());
    } catch (err) {
      db.close();
      throw err;
    }
    return database;
  }

  #prepare(): void {
    const db = this.#db;
    // Read the header before anything writes: a foreign or damaged file fails here.
    // Both reads in one snapshot, or a process migrating a fresh file meanwhile would
    // make it look foreign (version 0 with tables).
    const [version, tables] = db.transaction(() => [
      db.pragma('user_version', { simple: true }) as number,
      db.prepare("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").pluck().get() as number,
    ])();
    if (version > SCHEMA_VERSION) {
      throw new StateStoreError(
        ErrorCode.StateStore,
        `state database ${this.path} has schema version ${version}, newer than this Corral knows (${SCHEMA_VERSION})`,
        { details: { path: this.path, version, supported: SCHEMA_VERSION } },
      );
    }
    if (version === 0 && tables > 0) {
      throw new StateStoreError(ErrorCode.StateCorrupt, `${this.path} is an SQLite database, but not Corral's state database`, {
        details: { path: this.path },
      });
    }
    db.pragma('journal_mode = WAL');
    // FULL: a committed change survives a power cut, not only a crash of the process.
    db.pragma('synchronous = FULL');
    if (version < SCHEMA_VERSION) {
      // Tables are rebuilt with their references off (SQLite ignores this pragma inside
      // a transaction, so it is set around it).
      db.pragma('foreign_keys = OFF');
      this.#transaction.immediate(() => {
        // Another process may have migrated while this one waited for the lock.
        const current = db.pragma('user_version', { simple: true }) as number;
        if (current < SCHEMA_VERSION) {
          migrate(db, current);
          this.#logger?.info({ path: this.path, from: current, to: SCHEMA_VERSION }, 'migrated state database');
        }
      });
    }
    db.pragma('foreign_keys = ON');
  }

  /** A prepared statement, prepared on first use. */
  stmt(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` (reads only; one statement is consistent on its own). */
  read<T>(doing: string, fn: () => T): Promise<T> {
    return this.#retry(doing, fn);
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE), retried while the database is busy. */
  write<T>(doing: string, fn: () => T): Promise<T> {
    return this.#retry(doing, () => this.#transaction.immediate(fn) as T);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** The raw connection, for tests and tools (integrity checks). */
  get raw(): Database.Database {
    return this.#db;
  }

  async #retry<T>(doing: string, fn: () => T): Promise<T> {
    const deadline = Date.now() + this.#retryForMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (err) {
        if (!isBusy(err)) throw wrapSqliteError(err, this.path, doing);
        if (Date.now() >= deadline) {
          throw new StateStoreError(
            ErrorCode.StateStore,
            `state database ${this.path} stayed locked by another process for ${this.#retryForMs} ms while ${doing}`,
            { cause: err, details: { path: this.path } },
          );
        }
        if (attempt === 10) this.#logger?.warn({ path: this.path, doing }, 'state database busy; still retrying');
        // Jittered backoff so processes that collided do not collide again in step.
        await sleep(Math.min(2 ** attempt, 50) * (0.5 + Math.random()));
      }
    }
  }
}
