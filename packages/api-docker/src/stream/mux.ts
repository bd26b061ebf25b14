import { Writable } from 'node:stream';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;

/** Docker's stream header: the stream type, three zero bytes, the big-endian length. */
export function frameHeader(stream: number, length: number): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(length, 4);
  return header;
}

/**
 * A writable that puts what it is given onto `out`: framed with the 8-byte header
 * when `framed` (no TTY), raw otherwise. It never ends `out`, so stdout and stderr can
 * share one connection; writes after `out` has gone are dropped.
 */
export function streamWriter(out: Writable, stream: number, framed: boolean): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (out.destroyed || out.writableEnded || chunk.length === 0) return callback();
      const ok = framed ? out.write(Buffer.concat([frameHeader(stream, chunk.length), chunk])) : out.write(chunk);
      if (ok) callback();
      else {
        const done = () => {
          out.off('drain', done);
          out.off('close', done);
          callback();
        };
        out.on('drain', done);
        out.on('close', done);
      }
    },
  });
}

/** The content type of an attach or logs stream, by API version and TTY. */
export function streamContentType(framed: boolean, multiplexedType: boolean): string {
  return framed && multiplexedType ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
}
