import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { CorralError, ErrorCode } from '@corral/core';
import tarStream from 'tar-stream';
import { decompressor, detectCompression, peek } from './streams.js';

export interface StagedFile {
  path: string;
  digest: string;
  size: number;
}

/**
 * The entries of an image archive (docker-archive or oci-archive), each written to
 * a numbered file in a work dir and hashed on the way, so that the archive's own
 * order does not matter and nothing from it is trusted before it is verified.
 * Entry names are only lookup keys here: nothing is written under them.
 */
export class StagedArchive {
  private readonly files = new Map<string, StagedFile>();
  private readonly links = new Map<string, string>();

  private constructor(private readonly dir: string) {}

  static async stage(input: Readable, dir: string): Promise<StagedArchive> {
    const staged = new StagedArchive(dir);
    const { head, stream } = await peek(input, 4);
    const extract = tarStream.extract();
    const source = stream.pipe(decompressor(detectCompression(head)));
    source.on('error', (err) => extract.destroy(err));
    source.pipe(extract as any);
    let last = '(start of archive)';
    let n = 0;
    try {
      for await (const entry of extract) {
        const h = entry.header;
        last = h.name;
        const name = StagedArchive.clean(h.name);
        if (h.type === 'file' || h.type === 'contiguous-file') {
          const path = join(dir, String(n++));
          const hash = createHash('sha256');
          let size = 0;
          const fh = await open(path, 'wx', 0o600);
          try {
            for await (const chunk of entry as AsyncIterable<Buffer>) {
              hash.update(chunk);
              size += chunk.length;
              await fh.write(chunk);
            }
          } finally {
            await fh.close();
          }
          if (name) staged.files.set(name, { path, digest: `sha256:${hash.digest('hex')}`, size });
        } else {
          if ((h.type === 'symlink' || h.type === 'link') && name && h.linkname) {
            const target = h.type === 'symlink' ? posix.join(posix.dirname(name), h.linkname) : h.linkname;
            staged.links.set(name, StagedArchive.clean(target) ?? '');
          }
          entry.resume();
        }
      }
    } catch (err) {
      stream.destroy();
      throw new CorralError(ErrorCode.ArchiveInvalid, `image archive: malformed tar after entry "${last}": ${(err as Error).message}`, { cause: err });
    }
    return staged;
  }

  /** A name as a lookup key: no "./", no leading "/", no "..". */
  private static clean(name: string): string | undefined {
    const norm = posix.normalize(`/${name}`).slice(1).replace(/\/$/, '');
    return norm && !norm.startsWith('..') ? norm : undefined;
  }

  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }

  lookup(name: string): StagedFile | undefined {
    let key = StagedArchive.clean(name);
    for (let hops = 0; key !== undefined && hops < 16; hops++) {
      const file = this.files.get(key);
      if (file) return file;
      key = this.links.get(key);
    }
    return undefined;
  }

  /** The staged file of `name`, or ARCHIVE_INVALID naming what is missing. */
  require(name: string, why: string): StagedFile {
    const file = this.lookup(name);
    if (!file) throw new CorralError(ErrorCode.ArchiveInvalid, `image archive: ${why} "${name}" is missing`, { details: { entry: name } });
    return file;
  }

  get workDir(): string {
    return this.dir;
  }
}
