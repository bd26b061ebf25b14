import type { FileHandle } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CorralError } from '@corral/core';
import * as tar from 'tar-stream';
import { archiveInvalid } from './archive-error.js';
import { METADATA_FILES } from './archive-layout.js';
import { checkEntryName, type EntryKind } from './entry-name.js';
import type { ArchiveLimits } from './limits.js';

/** An entry that passed every check of its header: a name of the layout, a kind, a size in bounds. */
export interface ArchiveEntry {
  /** Normalized ("checkpoint/pages-1.img"), without "./" or a trailing slash. */
  name: string;
  parts: string[];
  kind: EntryKind;
  size: number;
}

/** Must consume `data` whole (or throw): the archive is read on only once the entry is. */
export type EntryVisitor = (entry: ArchiveEntry, data: AsyncIterable<Buffer>) => Promise<void>;

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
/** tar-stream's own cap on a pax or GNU long-name header. */
const MAX_LONG_HEADER = 4 * 1024 * 1024;

/**
 * Streams the archive open in `handle` (gzip or plain tar) and hands each entry to
 * `visit`, after checking its header: a regular file or a directory only (no links,
 * devices or FIFOs, wherever they would point), a name inside the layout, sizes and
 * counts within `limits`, no duplicate, no entry below a file. The decompressed stream
 * itself is bounded too, so a compression bomb of padding stops early.
 */
export async function readArchive(handle: FileHandle, archive: string, limits: ArchiveLimits, visit: EntryVisitor): Promise<void> {
  const magic = Buffer.alloc(4);
  const { bytesRead } = await handle.read(magic, 0, 4, 0);
  if (bytesRead >= 4 && magic.equals(ZSTD_MAGIC)) {
    throw archiveInvalid(archive, 'zstd compression is not supported: export with gzip or without compression');
  }
  const gzip = bytesRead >= 2 && magic.subarray(0, 2).equals(GZIP_MAGIC);

  const maxStream = limits.maxTotalBytes + (limits.maxEntries + 2) * 3 * 512 + 4 * MAX_LONG_HEADER;
  let streamed = 0;
  const bound = new Transform({
    transform(chunk: Buffer, _enc, done) {
      streamed += chunk.length;
      if (streamed > maxStream) done(archiveInvalid(archive, `the tar stream exceeds ${maxStream} bytes`));
      else done(null, chunk);
    },
  });
  const source = handle.createReadStream({ start: 0, autoClose: false });
  const extract = tar.extract();
  const stages: NodeJS.ReadWriteStream[] = gzip ? [createGunzip(), bound] : [bound];
  // Settles with the first stream error, if any; the loop below sees it through `extract`.
  const fed = pipeline([source, ...stages, extract as unknown as NodeJS.WritableStream]).then(
    () => undefined,
    (err: unknown) => err,
  );

  const seen = new Set<string>();
  const files = new Set<string>();
  let count = 0;
  let total = 0;
  let visiting = false;
  try {
    for await (const data of extract) {
      const header = data.header;
      count++;
      if (count > limits.maxEntries) throw archiveInvalid(archive, `more than ${limits.maxEntries} entries`);
      const raw = header.name;
      if (header.type !== 'file' && header.type !== 'directory') {
        const target = header.linkname ? ` -> ${header.linkname}` : '';
        throw archiveInvalid(archive, `entry "${raw}"${target} is a ${header.type ?? 'entry of unknown type'}: only regular files and directories are allowed`, {
          entry: raw,
          type: header.type,
        });
      }
      const kind: EntryKind = header.type;
      const check = checkEntryName(raw, kind);
      if (!check.ok) throw archiveInvalid(archive, `entry "${raw}": ${check.reason}`, { entry: raw });
      const size = header.size ?? 0;
      if (kind === 'directory' && size !== 0) throw archiveInvalid(archive, `directory entry "${raw}" has a size`, { entry: raw });
      if (check.root) continue;
      const name = check.parts.join('/');
      if (seen.has(name)) throw archiveInvalid(archive, `entry "${name}" appears twice`, { entry: name });
      for (let i = 1; i < check.parts.length; i++) {
        const parent = check.parts.slice(0, i).join('/');
        if (files.has(parent)) throw archiveInvalid(archive, `entry "${name}" lies below the file "${parent}"`, { entry: name });
      }
      if (size > limits.maxEntryBytes) {
        throw archiveInvalid(archive, `entry "${name}" is ${size} bytes, over the limit of ${limits.maxEntryBytes}`, { entry: name, size });
      }
      if (METADATA_FILES.has(name) && size > limits.maxMetadataBytes) {
        throw archiveInvalid(archive, `entry "${name}" is ${size} bytes, over the limit of ${limits.maxMetadataBytes}`, { entry: name, size });
      }
      total += size;
      if (total > limits.maxTotalBytes) throw archiveInvalid(archive, `the entries exceed ${limits.maxTotalBytes} bytes in total`, { size: total });
      seen.add(name);
      if (kind === 'file') files.add(name);

      visiting = true;
      await visit({ name, parts: check.parts, kind, size }, data as AsyncIterable<Buffer>);
      visiting = false;
    }
  } catch (err) {
    source.destroy();
    extract.destroy();
    await fed;
    if (err instanceof CorralError || visiting) throw err;
    throw archiveInvalid(archive, `not a valid ${gzip ? 'gzip-compressed ' : ''}tar archive: ${(err as Error).message}`, {}, err);
  }
  const failed = await fed;
  if (failed) {
    if (failed instanceof CorralError) throw failed;
    throw archiveInvalid(archive, `not a valid ${gzip ? 'gzip-compressed ' : ''}tar archive: ${(failed as Error).message}`, {}, failed);
  }
}

/** Reads a whole (bounded) entry into memory. */
export async function readEntry(data: AsyncIterable<Buffer>, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of data) {
    length += chunk.length;
    if (length > size) throw new Error(`entry holds more than its declared ${size} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

/** Reads past an entry's data. */
export async function skipEntry(data: AsyncIterable<Buffer>): Promise<void> {
  for await (const _chunk of data) {
    // Only the position in the archive matters.
  }
}
