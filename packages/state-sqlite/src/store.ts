import type { ContainerStore, ExecSessionStore, ExitCodeStore, NetworkStore, StateStore } from '@corral/core';
import { SqliteContainerStore } from './containers.js';
import { StateDatabase, type StateDatabaseOptions } from './database.js';
import { SqliteExecSessionStore } from './exec-sessions.js';
import { SqliteExitCodeStore } from './exit-codes.js';
import { SqliteNetworkStore } from './networks.js';

/**
 * The StateStore in one SQLite file, safe to share between processes: WAL, every
 * multi-row change in one BEGIN IMMEDIATE transaction, SQLITE_BUSY retried.
 */
export class SqliteStateStore implements StateStore {
  readonly containers: ContainerStore;
  readonly execSessions: ExecSessionStore;
  readonly exitCodes: ExitCodeStore;
  readonly networks: NetworkStore;

  private constructor(readonly database: StateDatabase) {
    this.containers = new SqliteContainerStore(database);
    this.execSessions = new SqliteExecSessionStore(database);
    this.exitCodes = new SqliteExitCodeStore(database);
    this.networks = new SqliteNetworkStore(database);
  }

  /** Opens (creating or migrating) the database at `options.path`. */
  static async open(options: StateDatabaseOptions): Promise<SqliteStateStore> {
    return new SqliteStateStore(await StateDatabase.open(options));
  }

  get path(): string {
    return this.database.path;
  }

  close(): void {
    this.database.close();
  }
}
