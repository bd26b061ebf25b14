// Many writer processes released at once, for the event backends' multi-process tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { EventBackend } from '@corral/core';

/** For multi-process tests: starts `n` writer processes running `script` with `args(i)`; resolves when all are ready. */
export async function startWriters(
  script: string,
  n: number,
  args: (i: number) => string[],
): Promise<{ go: () => void; exited: Promise<number[]>; kill: () => void }> {
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    children.push(spawn(process.execPath, ['--import', 'tsx', script, ...args(i)], { stdio: ['pipe', 'pipe', 'inherit'] }));
  }
  const exited = Promise.all(children.map(async (c) => ((await once(c, 'exit')) as [number | null])[0] ?? -1));
  await Promise.all(
    children.map(async (c) => {
      const lines = createInterface({ input: c.stdout! });
      for await (const line of lines) if (line === 'ready') return;
      throw new Error(`writer ${c.pid} exited before it was ready`);
    }),
  );
  return {
    go: () => children.forEach((c) => c.stdin!.write('go\n')),
    exited,
    kill: () => children.forEach((c) => c.exitCode === null && c.pid !== undefined && c.kill('SIGKILL')),
  };
}

/**
 * The writer side, run in each writer process: says "ready", and on "go" writes
 * `count` events tagged with its writer number and a sequence number, in order.
 */
export function writeEventsOnGo(backend: Pick<EventBackend, 'write'>, writer: string, count: number, close: () => void): void {
  const id = `${writer.padStart(4, '0')}${'a'.repeat(60)}`;
  process.stdout.write('ready\n');
  process.stdin.once('data', async () => {
    for (let i = 0; i < count; i++) {
      await backend.write({
        timeNano: BigInt(Date.now()) * 1_000_000n + BigInt(i % 1_000_000),
        type: 'container',
        action: i % 2 ? 'start' : 'stop',
        id,
        name: `writer-${writer}`,
        image: 'localhost/busybox:latest',
        attributes: { writer, seq: String(i) },
      });
    }
    close();
    process.stdin.destroy();
  });
}

/**
 * The reader side: follows `reader` while the writers run (released by `go`) and
 * checks that each writer's events arrive exactly once and in order. Gives up
 * `timeoutMs` after the writers have exited.
 */
export async function followWriters(
  reader: Pick<EventBackend, 'read'>,
  writers: { go: () => void; exited: Promise<number[]> },
  count: number,
  perWriter: number,
  timeoutMs = 60_000,
): Promise<{ codes: number[]; problems: string[]; total: number; next: number[] }> {
  const abort = new AbortController();
  const next = new Array<number>(count).fill(0);
  const problems: string[] = [];
  let total = 0;
  const follower = (async () => {
    for await (const e of reader.read({ follow: true, signal: abort.signal })) {
      const w = Number(e.attributes.writer);
      const seq = Number(e.attributes.seq);
      if (seq !== next[w]) problems.push(`writer ${w}: got ${seq}, expected ${next[w]}`);
      next[w] = seq + 1;
      if (++total === count * perWriter) abort.abort();
    }
  })();
  writers.go();
  const codes = await writers.exited;
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  await follower;
  clearTimeout(timer);
  return { codes, problems, total, next };
}
