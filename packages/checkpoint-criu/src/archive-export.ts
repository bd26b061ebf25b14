import { randomBytes } from '@corral/core/crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { InvalidArgumentError, type CheckpointArchiveContents } from '@corral/core';
import * as tar from 'tar-stream';
import {
  CHECKPOINT_DIR,
  CONFIG_DUMP,
  CONTAINER_LOG,
  CRIU_INVENTORY,
  DELETED_FILES,
  NETWORK_STATUS,
  ROOTFS_DIFF,
  SPEC_DUMP,
} from './archive-layout.js';
import { ConfigShapeError, validateContainerConfig } from './config-validation.js';
import { checkDeletedFiles } from './deleted-files.js';

export type ArchiveCompression = 'gzip' | 'none';

type Item = { name: string; kind: 'directory' } | { name: string; kind: 'file'; path: string; size: number } | { name: string; kind: 'data'; data: Buffer };

/**
 * Writes podman's archive layout: metadata first (so a reader meets the config early),
 * then the CRIU images, the root filesystem's changes and the log. Owners and modes are
 * normalized; the archive appears at `target` whole or not at all. What we would refuse
 * to import is refused here as well.
 */
export async function exportArchive(contents: CheckpointArchiveContents, target: string, compression: ArchiveCompression): Promise<void> {
  const what = `checkpoint archive ${target}`;
  let config;
  try {
    config = validateContainerConfig(contents.config);
  } catch (err) {
    const reason = err instanceof ConfigShapeError ? err.message : String(err);
    throw new InvalidArgumentError(`cannot write ${what}: the container config would not pass import: ${reason}`, { cause: err });
  }
  if (contents.deletedFiles) {
    const check = checkDeletedFiles(contents.deletedFiles, Number.MAX_SAFE_INTEGER);
    if (!check.ok) throw new InvalidArgumentError(`cannot write ${what}: deleted files: ${check.reason}`);
  }

  const items: Item[] = [
    { name: CONFIG_DUMP, kind: 'data', data: Buffer.from(JSON.stringify(config)) },
    { name: NETWORK_STATUS, kind: 'data', data: Buffer.from(JSON.stringify(contents.networkStatus ?? null)) },
  ];
  if (contents.specPath) items.push(await fileItem(SPEC_DUMP, contents.specPath, what));
  if (contents.deletedFiles) items.push({ name: DELETED_FILES, kind: 'data', data: Buffer.from(JSON.stringify(contents.deletedFiles)) });
  items.push(...(await imageItems(contents.imageDir, what)));
  if (contents.rootfsDiffPath) items.push(await fileItem(ROOTFS_DIFF, contents.rootfsDiffPath, what));
  if (contents.logPath) {
    // The log may be gone (log driver "none") or still growing (KeepRunning): take what is there.
    const log = await fileItem(CONTAINER_LOG, contents.logPath, what).catch(() => undefined);
    if (log) items.push(log);
  }

  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const pack = tar.pack();
  const stages: NodeJS.ReadWriteStream[] = compression === 'gzip' ? [createGzip()] : [];
  const written = pipeline([pack as unknown as NodeJS.ReadableStream, ...stages, createWriteStream(tmp, { flags: 'wx', mode: 0o600 })]);
  try {
    await Promise.all([written, writeItems(pack, items)]);
    await rename(tmp, target);
  } catch (err) {
    pack.destroy();
    await written.catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

async function writeItems(pack: tar.Pack, items: Item[]): Promise<void> {
  const mtime = new Date();
  for (const item of items) {
    const base = { name: item.name, uid: 0, gid: 0, mtime };
    if (item.kind === 'directory') {
      await entryDone(pack, { ...base, type: 'directory', mode: 0o700 });
    } else if (item.kind === 'data') {
      await entryDone(pack, { ...base, type: 'file', mode: 0o600, size: item.data.length }, item.data);
    } else if (item.size === 0) {
      await entryDone(pack, { ...base, type: 'file', mode: 0o600, size: 0 }, Buffer.alloc(0));
    } else {
      let stream!: NodeJS.WritableStream;
      const done = new Promise<void>((resolve, reject) => {
        stream = pack.entry({ ...base, type: 'file', mode: 0o600, size: item.size }, (err) => (err ? reject(err) : resolve()));
      });
      // Exactly the size announced in the header, even if the file grows meanwhile.
      await pipeline(createReadStream(item.path, { start: 0, end: item.size - 1 }), stream);
      await done;
    }
  }
  pack.finalize();
}

function entryDone(pack: tar.Pack, header: Partial<tar.Header> & { name: string }, data?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve());
    if (data) pack.entry(header, data, cb);
    else pack.entry(header, cb);
  });
}

async function fileItem(name: string, path: string, what: string): Promise<Item> {
  const st = await lstat(path).catch((err: unknown) => {
    throw new InvalidArgumentError(`cannot write ${what}: ${path} (${name}) is missing`, { cause: err, details: { path } });
  });
  if (!st.isFile()) throw new InvalidArgumentError(`cannot write ${what}: ${path} (${name}) is not a regular file`, { details: { path } });
  return { name, kind: 'file', path, size: st.size };
}

/** The CRIU image directory as checkpoint/...: only files and directories, as import demands. */
async function imageItems(imageDir: string, what: string): Promise<Item[]> {
  const items: Item[] = [{ name: CHECKPOINT_DIR, kind: 'directory' }];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const st = await lstat(path);
      const entry = `${prefix}/${name}`;
      if (st.isDirectory()) {
        items.push({ name: entry, kind: 'directory' });
        await walk(path, entry);
      } else if (st.isFile()) {
        items.push({ name: entry, kind: 'file', path, size: st.size });
      } else {
        throw new InvalidArgumentError(`cannot write ${what}: ${path} in the CRIU images is neither a file nor a directory`, { details: { path } });
      }
    }
  };
  await walk(imageDir, CHECKPOINT_DIR);
  if (!items.some((i) => i.name === `${CHECKPOINT_DIR}/${CRIU_INVENTORY}`)) {
    throw new InvalidArgumentError(`cannot write ${what}: ${imageDir} holds no CRIU dump (${CRIU_INVENTORY} is missing)`, { details: { path: imageDir } });
  }
  return items;
}
