import { Transform } from 'node:stream';
import { humanSize } from './commands/images.js';

/**
 * A progress bar on stderr for long copies (import, load, save), only when stderr is
 * a terminal; elsewhere the stream passes through untouched and nothing is printed.
 */
export function withProgress(label: string, total: number | undefined, out: NodeJS.WriteStream = process.stderr): Transform {
  let done = 0;
  let last = 0;
  const draw = (final: boolean) => {
    const now = Date.now();
    if (!final && now - last < 100) return;
    last = now;
    const width = 30;
    const share = total ? Math.min(1, done / total) : 0;
    const bar = total ? `[${'='.repeat(Math.floor(share * width)).padEnd(width)}] ${Math.floor(share * 100)}%` : '';
    const amount = total ? `${humanSize(done)} / ${humanSize(total)}` : humanSize(done);
    out.write(`\r${label} ${amount} ${bar}\x1b[K${final ? '\n' : ''}`);
  };
  const tty = out.isTTY === true;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      if (tty) draw(false);
      callback(null, chunk);
    },
    flush(callback) {
      if (tty) draw(true);
      callback();
    },
  });
}
