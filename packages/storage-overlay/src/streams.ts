import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

export type Compression = 'none' | 'gzip' | 'zstd';

/** Reads the first bytes of a stream and hands back a stream with them put back. */
export async function peek(stream: Readable, bytes: number): Promise<{ head: Buffer; stream: Readable }> {
  const it = stream[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest() {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield Buffer.from(next.value);
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }) };
}

/** By magic bytes, as containers/image does: gzip 1f8b, zstd 28b52ffd. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
  return 'none';
}

function zstdStream(): Transform {
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        d.push(chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb) {
      try {
        d.push(new Uint8Array(0), true);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  const d = new Decompress((data) => out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
  return out;
}

export function decompressor(kind: Compression): Transform {
  if (kind === 'gzip') return createGunzip();
  if (kind === 'zstd') return zstdStream();
  return new Transform({ transform: (chunk, _enc, cb) => cb(null, chunk) });
}

/** Passes data through, feeding a hash and counting bytes. */
export class HashTap extends Transform {
  readonly hash: Hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
  hex(): string {
    return this.hash.digest('hex');
  }
}

/** Passes data through while writing a copy to `path` (honouring the file's backpressure). */
export class FileTee extends Transform {
  private readonly file;
  constructor(path: string) {
    super();
    this.file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    this.file.on('error', (err) => this.destroy(err));
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    if (this.file.write(chunk)) cb(null, chunk);
    else this.file.once('drain', () => cb(null, chunk));
  }
  override _flush(cb: (err?: Error | null) => void): void {
    this.file.end(() => cb());
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.file.destroy();
    cb(err);
  }
}
