/** Bounds on what an imported archive may hold; every figure is checked before data is written. */
export interface ArchiveLimits {
  /** Sum of all entries' sizes. */
  maxTotalBytes: number;
  /** Any single entry (CRIU's pages image grows with the process's memory). */
  maxEntryBytes: number;
  maxEntries: number;
  /** config.dump, spec.dump, network.status and deleted.files, which are read into memory. */
  maxMetadataBytes: number;
  /** Entries in deleted.files. */
  maxDeletedFiles: number;
}

const GiB = 1024 ** 3;

export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxTotalBytes: 32 * GiB,
  maxEntryBytes: 16 * GiB,
  maxEntries: 100_000,
  maxMetadataBytes: 16 * 1024 * 1024,
  maxDeletedFiles: 100_000,
});

export function resolveLimits(given: Partial<ArchiveLimits> | undefined): ArchiveLimits {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...given };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`checkpoint archive limit ${key} must be a positive whole number, got ${String(value)}`);
    }
  }
  return limits;
}
