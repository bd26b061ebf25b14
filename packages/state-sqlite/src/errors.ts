import { ConflictError, CorralError, ErrorCode, NotFoundError, StateStoreError } from '@corral/core';

export function noSuchContainer(idOrName: string): NotFoundError {
  return new NotFoundError(ErrorCode.NoSuchCtr, `no container with name or id "${idOrName}"`, {
    details: { container: idOrName },
  });
}

export function noSuchNetwork(nameOrId: string): NotFoundError {
  return new NotFoundError(ErrorCode.NoSuchNetwork, `no network with name or id "${nameOrId}"`, {
    details: { network: nameOrId },
  });
}

export function noSuchExecSession(id: string): NotFoundError {
  return new NotFoundError(ErrorCode.NoSuchExecSession, `no exec session with id "${id}"`, { details: { session: id } });
}

export function ambiguous(code: ErrorCode, what: string, prefix: string): CorralError {
  return new CorralError(code, `${what} id prefix "${prefix}" is ambiguous: it matches more than one ${what}`, {
    details: { prefix },
  });
}

export function conflict(code: ErrorCode, message: string, details: Record<string, unknown>): ConflictError {
  return new ConflictError(code, message, { details });
}

/** SQLite's result codes that mean the file is not a (sound) database. */
const CORRUPT_CODES = /^SQLITE_(CORRUPT|NOTADB|CANTOPEN|PERM|IOERR_SHORT_READ)/;

function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export function isBusy(err: unknown): boolean {
  const code = sqliteCode(err);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Wraps what better-sqlite3 threw into a StateStoreError naming the file; our own
 * errors (NO_SUCH_CTR, ...) pass through untouched.
 */
export function wrapSqliteError(err: unknown, path: string, doing: string): unknown {
  if (err instanceof CorralError) return err;
  const code = sqliteCode(err);
  if (code === undefined) return err;
  const reason = err instanceof Error ? err.message : String(err);
  if (CORRUPT_CODES.test(code)) {
    return new StateStoreError(
      ErrorCode.StateCorrupt,
      `state database ${path} is corrupt or unreadable (${code}: ${reason}) while ${doing}; it was left as it is`,
      { cause: err, details: { path, sqliteCode: code } },
    );
  }
  return new StateStoreError(ErrorCode.StateStore, `state database ${path}: ${reason} (${code}) while ${doing}`, {
    cause: err,
    details: { path, sqliteCode: code },
  });
}
