import { CorralError, ErrorCode } from '@corral/core';

/** The one error an untrusted archive gets: ARCHIVE_INVALID, naming the archive and the entry. */
export function archiveInvalid(archive: string, message: string, details: Record<string, unknown> = {}, cause?: unknown): CorralError {
  return new CorralError(ErrorCode.ArchiveInvalid, `checkpoint archive ${archive}: ${message}`, {
    details: { archive, ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}
