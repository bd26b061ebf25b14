import { createReadStream } from 'node:fs';
import { lazyBuiltin } from '@corral/core/lazy-builtin';
import type { AttachStreams } from '@corral/core';

const readline = lazyBuiltin<typeof import('node:readline')>('node:readline');

/**
 * Writes a k8s-file log ("<time> <stdout|stderr> <F|P> <text>") to the streams: P
 * marks a partial line, continued by the next entry, F a full one.
 */
export async function replayLog(path: string, streams: AttachStreams): Promise<void> {
  let input;
  try {
    input = createReadStream(path, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) => {
      input!.once('open', () => resolve());
      input!.once('error', reject);
    });
  } catch {
    return; // No log yet.
  }
  const lines = readline().createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    const m = /^\S+ (stdout|stderr) ([FP]) ?(.*)$/.exec(line);
    if (!m) continue;
    const target = m[1] === 'stdout' ? streams.stdout : streams.stderr;
    target?.write(m[2] === 'F' ? `${m[3]}\n` : m[3]!);
  }
}
