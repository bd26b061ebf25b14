// Many writer processes released at once, for the event backends' multi-process tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

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
