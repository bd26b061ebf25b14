/**
 * Typed errors with stable codes and a cause chain. Front ends translate codes into
 * exit codes or HTTP statuses; nothing in between should rewrite them.
 */
export const ErrorCode = {
  CtrStateInvalid: 'CTR_STATE_INVALID',
  CtrStopped: 'CTR_STOPPED',
  CtrRunning: 'CTR_RUNNING',
  CtrPaused: 'CTR_PAUSED',
  CtrRemoved: 'CTR_REMOVED',
  CtrExists: 'CTR_EXISTS',
  NoSuchCtr: 'NO_SUCH_CTR',
  CtrAmbiguous: 'CTR_AMBIGUOUS',
  InvalidArg: 'INVALID_ARG',
  NoSuchExecSession: 'NO_SUCH_EXEC_SESSION',
  ExecSessionStateInvalid: 'EXEC_SESSION_STATE_INVALID',
  ExecCannotInvoke: 'EXEC_CANNOT_INVOKE',
  ExecNotFound: 'EXEC_NOT_FOUND',
  DependencyNotRunning: 'DEPENDENCY_NOT_RUNNING',
  DependencyCycle: 'DEPENDENCY_CYCLE',
  DependencyInUse: 'DEPENDENCY_IN_USE',
  RuntimeError: 'RUNTIME_ERROR',
  NoSuchImage: 'NO_SUCH_IMAGE',
  ImageInUse: 'IMAGE_IN_USE',
  ImageExists: 'IMAGE_EXISTS',
  NoSuchNetwork: 'NO_SUCH_NETWORK',
  NetworkExists: 'NETWORK_EXISTS',
  NetworkInUse: 'NETWORK_IN_USE',
  NoSuchArtifact: 'NO_SUCH_ARTIFACT',
  MissingContract: 'MISSING_CONTRACT',
  DuplicateProvider: 'DUPLICATE_PROVIDER',
  PluginSkipped: 'PLUGIN_SKIPPED',
  PluginCycle: 'PLUGIN_CYCLE',
  StateStore: 'STATE_STORE_ERROR',
  StateCorrupt: 'STATE_CORRUPT',
  Lock: 'LOCK_ERROR',
  Timeout: 'TIMEOUT',
  Cancelled: 'CANCELLED',
  NotSupported: 'NOT_SUPPORTED',
  ArchiveInvalid: 'ARCHIVE_INVALID',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorOptions {
  cause?: unknown;
  /** Plain data that explains the error (the container id, the state, a path). */
  details?: Record<string, unknown>;
}

export class CorralError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** The container is not in a state that allows the operation. */
export class ContainerStateError extends CorralError {}
/** Something named by the caller does not exist (container, session, image, network). */
export class NotFoundError extends CorralError {}
/** A name or id is already taken, or a thing is still in use. */
export class ConflictError extends CorralError {}
/** The caller passed something malformed. */
export class InvalidArgumentError extends CorralError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(ErrorCode.InvalidArg, message, options);
  }
}
/** The OCI runtime, conmon or another host component failed. */
export class RuntimeError extends CorralError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(ErrorCode.RuntimeError, message, options);
  }
}
/** Assembly or start-up of plugins failed. */
export class PluginError extends CorralError {}
/** Thrown by a plugin's start() to take itself out with a reason ("criu not found"). */
export class PluginSkipError extends PluginError {
  constructor(reason: string, options: ErrorOptions = {}) {
    super(ErrorCode.PluginSkipped, reason, options);
  }
}
/** Persistent state could not be read or written. */
export class StateStoreError extends CorralError {}
export class TimeoutError extends CorralError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(ErrorCode.Timeout, message, options);
  }
}
export class CancelledError extends CorralError {
  constructor(message = 'operation cancelled', options: ErrorOptions = {}) {
    super(ErrorCode.Cancelled, message, options);
  }
}

/** Walks the cause chain: the first error in it that is a CorralError with `code`. */
export function findCode(err: unknown, code: ErrorCode): CorralError | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    if (current instanceof CorralError && current.code === code) return current;
    current = (current as Error).cause;
  }
  return undefined;
}

/** True when `err` or anything in its cause chain carries `code`. */
export function hasCode(err: unknown, code: ErrorCode): boolean {
  return findCode(err, code) !== undefined;
}

/** The code of the outermost CorralError in the chain, or undefined. */
export function codeOf(err: unknown): ErrorCode | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    if (current instanceof CorralError) return current.code;
    current = (current as Error).cause;
  }
  return undefined;
}

/** The messages of the whole chain joined, as podman prints them ("a: b: c"). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.some((p) => p.endsWith(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ');
}
