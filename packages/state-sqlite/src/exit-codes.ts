import type { ExitCodeStore } from '@corral/core';
import type { StateDatabase } from './database.js';

/** How long an exit code outlives its container, as in podman. */
export const EXIT_CODE_TTL_MS = 5 * 60_000;

const SQL = {
  record:
    'INSERT INTO exit_codes (container_id, exit_code, recorded_at) VALUES (?, ?, ?) ' +
    'ON CONFLICT (container_id) DO UPDATE SET exit_code = excluded.exit_code, recorded_at = excluded.recorded_at',
  get: 'SELECT exit_code FROM exit_codes WHERE container_id = ?',
  prune: 'DELETE FROM exit_codes WHERE recorded_at < ?',
} as const;

/** Exit codes in their own table, with no foreign key: they must outlive the container. */
export class SqliteExitCodeStore implements ExitCodeStore {
  constructor(private readonly db: StateDatabase) {}

  record(containerId: string, exitCode: number): Promise<void> {
    return this.db.write(`recording the exit code of container ${containerId}`, () => {
      const now = Date.now();
      // Pruning here too keeps the table small even when nobody calls prune().
      this.db.stmt(SQL.prune).run(now - EXIT_CODE_TTL_MS);
      this.db.stmt(SQL.record).run(containerId, exitCode, now);
    });
  }

  get(containerId: string): Promise<number | undefined> {
    return this.db.read(`reading the exit code of container ${containerId}`, () => {
      return this.db.stmt(SQL.get).pluck().get(containerId) as number | undefined;
    });
  }

  prune(olderThanMs: number): Promise<number> {
    return this.db.write('pruning exit codes', () => this.db.stmt(SQL.prune).run(Date.now() - olderThanMs).changes);
  }
}
