import { constants, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, type CheckpointArchiveContents, type ContainerConfig, type Logger } from '@corral/core';
import { archiveInvalid } from './archive-error.js';
import {
  CHECKPOINT_DIR,
  CONFIG_DUMP,
  CONTAINER_LOG,
  CRIU_INVENTORY,
  DELETED_FILES,
  METADATA_FILES,
  NETWORK_STATUS,
  ROOTFS_DIFF,
  SPEC_DUMP,
} from './archive-layout.js';
import { readArchive, readEntry, skipEntry, type ArchiveEntry } from './archive-reader.js';
import { ConfigShapeError, validateContainerConfig } from './config-validation.js';
import { checkDeletedFiles } from './deleted-files.js';
import type { ArchiveLimits } from './limits.js';

interface Inspection {
  /** Every entry in archive order, to hold the second read to the first. */
  entries: ArchiveEntry[];
  metadata: Map<string, Buffer>;
  config: ContainerConfig;
  networkStatus: unknown;
  deletedFiles?: string[];
}

/**
 * Unpacks a checkpoint archive into `destination`, which must be absent or an empty
 * directory. The archive is read twice: the first read checks every header and the
 * config, network status and deleted-files list without writing anything; the second
 * writes, and refuses any difference from the first (the file could change in between).
 * On failure the destination is left as it was found.
 */
export async function importArchive(source: string, destination: string, limits: ArchiveLimits, logger: Logger): Promise<CheckpointArchiveContents> {
  const destinationExisted = await checkDestination(destination);
  let handle: FileHandle;
  try {
    // O_NONBLOCK: a FIFO in place of the archive must not hang the import (it is refused below).
    handle = await open(source, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new InvalidArgumentError(`cannot open checkpoint archive ${source}: ${(err as Error).message}`, { cause: err, details: { path: source } });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw archiveInvalid(source, 'not a regular file');
    const inspection = await inspect(handle, source, limits);
    try {
      await extract(handle, source, destination, limits, inspection);
    } catch (err) {
      await undo(destination, destinationExisted).catch((cleanupErr: unknown) =>
        logger.error({ err: cleanupErr, destination }, 'could not clean up a failed checkpoint import'),
      );
      throw err;
    }
    const has = (name: string) => inspection.entries.some((e) => e.name === name);
    return {
      imageDir: join(destination, CHECKPOINT_DIR),
      config: inspection.config,
      networkStatus: inspection.networkStatus,
      ...(has(SPEC_DUMP) ? { specPath: join(destination, SPEC_DUMP) } : {}),
      ...(has(ROOTFS_DIFF) ? { rootfsDiffPath: join(destination, ROOTFS_DIFF) } : {}),
      ...(inspection.deletedFiles ? { deletedFiles: inspection.deletedFiles } : {}),
      ...(has(CONTAINER_LOG) ? { logPath: join(destination, CONTAINER_LOG) } : {}),
    };
  } finally {
    await handle.close();
  }
}

/** True when the destination exists (and is an empty directory, the only acceptable kind). */
async function checkDestination(destination: string): Promise<boolean> {
  const st = await lstat(destination).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!st) return false;
  if (!st.isDirectory()) throw new InvalidArgumentError(`checkpoint import destination ${destination} is not a directory`, { details: { path: destination } });
  if ((await readdir(destination)).length > 0) {
    throw new InvalidArgumentError(`checkpoint import destination ${destination} is not empty`, { details: { path: destination } });
  }
  return true;
}

async function inspect(handle: FileHandle, source: string, limits: ArchiveLimits): Promise<Inspection> {
  const entries: ArchiveEntry[] = [];
  const metadata = new Map<string, Buffer>();
  await readArchive(handle, source, limits, async (entry, data) => {
    entries.push(entry);
    if (METADATA_FILES.has(entry.name)) metadata.set(entry.name, await readEntry(data, entry.size));
    else await skipEntry(data);
  });

  if (!entries.some((e) => e.name === `${CHECKPOINT_DIR}/${CRIU_INVENTORY}` && e.kind === 'file')) {
    throw archiveInvalid(source, `no CRIU images: ${CHECKPOINT_DIR}/${CRIU_INVENTORY} is missing`);
  }
  const configBytes = metadata.get(CONFIG_DUMP);
  if (!configBytes) throw archiveInvalid(source, `${CONFIG_DUMP} is missing`);
  let config: ContainerConfig;
  try {
    config = validateContainerConfig(parseJson(configBytes));
  } catch (err) {
    const reason = err instanceof ConfigShapeError || err instanceof SyntaxError ? err.message : String(err);
    throw archiveInvalid(source, `${CONFIG_DUMP} is not a valid container config: ${reason}`, { entry: CONFIG_DUMP }, err);
  }

  const networkStatus = parseMetadata(source, metadata, NETWORK_STATUS) ?? null;
  const spec = parseMetadata(source, metadata, SPEC_DUMP);
  if (spec !== undefined && (typeof spec !== 'object' || spec === null || Array.isArray(spec))) {
    throw archiveInvalid(source, `${SPEC_DUMP} is not an OCI spec object`, { entry: SPEC_DUMP });
  }
  let deletedFiles: string[] | undefined;
  const deleted = parseMetadata(source, metadata, DELETED_FILES);
  if (deleted !== undefined) {
    const check = checkDeletedFiles(deleted, limits.maxDeletedFiles);
    if (!check.ok) throw archiveInvalid(source, `${DELETED_FILES}: ${check.reason}`, { entry: DELETED_FILES });
    deletedFiles = check.paths;
  }
  return { entries, metadata, config, networkStatus, ...(deletedFiles ? { deletedFiles } : {}) };
}

function parseJson(bytes: Buffer): unknown {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
}

function parseMetadata(source: string, metadata: Map<string, Buffer>, name: string): unknown {
  const bytes = metadata.get(name);
  if (!bytes) return undefined;
  try {
    return parseJson(bytes);
  } catch (err) {
    throw archiveInvalid(source, `${name} is not valid JSON: ${(err as Error).message}`, { entry: name }, err);
  }
}

async function extract(handle: FileHandle, source: string, destination: string, limits: ArchiveLimits, inspection: Inspection): Promise<void> {
  const changed = (what: string) => archiveInvalid(source, `the archive changed while it was being imported (${what})`);
  await mkdir(destination, { recursive: true, mode: 0o700 });
  let index = 0;
  await readArchive(handle, source, limits, async (entry, data) => {
    const expected = inspection.entries[index++];
    if (!expected || expected.name !== entry.name || expected.kind !== entry.kind || expected.size !== entry.size) {
      throw changed(`entry "${entry.name}"`);
    }
    const path = join(destination, ...entry.parts);
    if (entry.kind === 'directory') {
      await mkdir(path, { recursive: true, mode: 0o700 });
      return;
    }
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const known = inspection.metadata.get(entry.name);
    // "wx": never follow or overwrite anything already there.
    if (known) {
      const bytes = await readEntry(data, entry.size);
      if (!bytes.equals(known)) throw changed(`content of "${entry.name}"`);
      await writeFile(path, bytes, { flag: 'wx', mode: 0o600 });
    } else {
      await pipeline(data, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    }
  });
  if (index !== inspection.entries.length) throw changed('entries are missing');
}

async function undo(destination: string, existed: boolean): Promise<void> {
  if (!existed) {
    await rm(destination, { recursive: true, force: true });
    return;
  }
  // It was empty before the import: everything in it now came from the archive.
  for (const name of await readdir(destination)) await rm(join(destination, name), { recursive: true, force: true });
}
