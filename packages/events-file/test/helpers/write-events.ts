// A writer process for the multi-process tests: waits for "go" on stdin, then writes
// `count` events tagged with its writer number and a sequence number, in order.
import { FileEventBackend } from '../../src/index.js';

const [path, writer, count, maxSize] = process.argv.slice(2);
const backend = new FileEventBackend({ path: path!, maxSize: Number(maxSize) });
const id = `${writer!.padStart(4, '0')}${'a'.repeat(60)}`;

process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  for (let i = 0; i < Number(count); i++) {
    await backend.write({
      timeNano: BigInt(Date.now()) * 1_000_000n + BigInt(i % 1_000_000),
      type: 'container',
      action: i % 2 ? 'start' : 'stop',
      id,
      name: `writer-${writer}`,
      image: 'localhost/busybox:latest',
      attributes: { writer: writer!, seq: String(i) },
    });
  }
  backend.close();
  process.stdin.destroy();
});
