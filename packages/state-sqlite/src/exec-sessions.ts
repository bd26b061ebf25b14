import { ErrorCode, type ExecSession, type ExecSessionStore } from '@corral/core';
import type { StateDatabase } from './database.js';
import { conflict, noSuchContainer, noSuchExecSession } from './errors.js';

const SQL = {
  containerExists: 'SELECT 1 FROM containers WHERE id = ?',
  exists: 'SELECT 1 FROM exec_sessions WHERE id = ?',
  insert: 'INSERT INTO exec_sessions (id, container_id, session) VALUES (?, ?, ?)',
  get: 'SELECT container_id, session FROM exec_sessions WHERE id = ?',
  save: 'UPDATE exec_sessions SET session = ? WHERE id = ?',
  remove: 'DELETE FROM exec_sessions WHERE id = ?',
  listFor: 'SELECT container_id, session FROM exec_sessions WHERE container_id = ? ORDER BY rowid',
} as const;

type Row = [containerId: string, session: string];

// The container_id column is the truth: a saved session never moves to another container.
const parse = ([containerId, session]: Row): ExecSession => ({ ...(JSON.parse(session) as ExecSession), containerId });

export class SqliteExecSessionStore implements ExecSessionStore {
  constructor(private readonly db: StateDatabase) {}

  add(session: ExecSession): Promise<void> {
    const json = JSON.stringify(session);
    return this.db.write(`adding exec session ${session.id}`, () => {
      if (!this.db.stmt(SQL.containerExists).get(session.containerId)) throw noSuchContainer(session.containerId);
      if (this.db.stmt(SQL.exists).get(session.id)) {
        throw conflict(ErrorCode.InvalidArg, `exec session "${session.id}" already exists`, { session: session.id });
      }
      this.db.stmt(SQL.insert).run(session.id, session.containerId, json);
    });
  }

  get(id: string): Promise<ExecSession> {
    return this.db.read(`reading exec session ${id}`, () => {
      const row = this.db.stmt(SQL.get).raw().get(id) as Row | undefined;
      if (!row) throw noSuchExecSession(id);
      return parse(row);
    });
  }

  save(session: ExecSession): Promise<void> {
    const json = JSON.stringify(session);
    return this.db.write(`saving exec session ${session.id}`, () => {
      if (this.db.stmt(SQL.save).run(json, session.id).changes === 0) throw noSuchExecSession(session.id);
    });
  }

  remove(id: string): Promise<void> {
    return this.db.write(`removing exec session ${id}`, () => {
      if (this.db.stmt(SQL.remove).run(id).changes === 0) throw noSuchExecSession(id);
    });
  }

  listFor(containerId: string): Promise<ExecSession[]> {
    return this.db.read(`listing the exec sessions of container ${containerId}`, () => {
      return (this.db.stmt(SQL.listFor).raw().all(containerId) as Row[]).map(parse);
    });
  }
}
