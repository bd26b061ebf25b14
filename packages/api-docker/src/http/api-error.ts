import { CorralError, ErrorCode, codeOf, describeError } from '@corral/core';

/** An error with the HTTP status the Docker API gives it; the message is what clients print. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
  }
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.NoSuchCtr]: 404,
  [ErrorCode.NoSuchImage]: 404,
  [ErrorCode.NoSuchExecSession]: 404,
  [ErrorCode.NoSuchNetwork]: 404,
  [ErrorCode.NoSuchArtifact]: 404,
  [ErrorCode.CtrRemoved]: 404,
  [ErrorCode.CtrStateInvalid]: 409,
  [ErrorCode.CtrStopped]: 409,
  [ErrorCode.CtrRunning]: 409,
  [ErrorCode.CtrPaused]: 409,
  [ErrorCode.CtrExists]: 409,
  [ErrorCode.CtrAmbiguous]: 400,
  [ErrorCode.ImageInUse]: 409,
  [ErrorCode.ImageExists]: 409,
  [ErrorCode.ExecSessionStateInvalid]: 409,
  [ErrorCode.DependencyNotRunning]: 409,
  [ErrorCode.DependencyInUse]: 409,
  [ErrorCode.InvalidArg]: 400,
  [ErrorCode.ArchiveInvalid]: 400,
  [ErrorCode.NotSupported]: 501,
  // The docker CLI turns "no such file or directory" / "permission denied" into 127 / 126.
  [ErrorCode.ExecNotFound]: 400,
  [ErrorCode.ExecCannotInvoke]: 400,
};

/** Docker's wording for "not found", which clients match (the CLI pulls on "No such image"). */
export function noSuchContainer(ref: string, cause?: unknown): ApiError {
  return new ApiError(404, `No such container: ${ref}`, { cause });
}

export function noSuchImage(ref: string, cause?: unknown): ApiError {
  return new ApiError(404, `No such image: ${ref}`, { cause });
}

export function noSuchExec(ref: string, cause?: unknown): ApiError {
  return new ApiError(404, `No such exec instance: ${ref}`, { cause });
}

/** The HTTP status and message for anything thrown by a handler. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof CorralError || (err instanceof Error && codeOf(err) !== undefined)) {
    const code = codeOf(err)!;
    return new ApiError(STATUS_BY_CODE[code] ?? 500, describeError(err), { cause: err });
  }
  if (err instanceof TypeError) return new ApiError(400, err.message, { cause: err });
  return new ApiError(500, err instanceof Error ? err.message : String(err), { cause: err });
}

/** Wraps a lookup so that NO_SUCH_CTR gets Docker's 404 wording with the caller's reference. */
export async function withNotFound<T>(ref: string, kind: 'container' | 'image', fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = codeOf(err);
    if (kind === 'container' && (code === ErrorCode.NoSuchCtr || code === ErrorCode.CtrRemoved)) throw noSuchContainer(ref, err);
    if (kind === 'image' && code === ErrorCode.NoSuchImage) throw noSuchImage(ref, err);
    throw err;
  }
}
