// What every benchmark here measures with: wall times in milliseconds, and medians.
import { spawnSync } from 'node:child_process';

/** The median (the upper one of an even count), the figure every bench reports. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall time of a synchronous `fn`, in milliseconds. */
export function timed(fn: () => unknown): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Wall time of `fn` until its promise settles, in milliseconds. */
export async function timedAsync(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * Node's own start (`node -e 0`), the floor of every corral command, as the `corral`
 * launcher starts it: without NODE_EXTRA_CA_CERTS (see tools/build-cli.mjs). `withCaBundle`
 * is the same start in the caller's environment when that sets the variable, what a
 * command run as `node corral.cjs` pays.
 */
export function nodeStart(runs: number): { floor: number; withCaBundle?: number } {
  const start = (env: NodeJS.ProcessEnv) =>
    median(Array.from({ length: runs }, () => timed(() => {
      const r = spawnSync(process.execPath, ['-e', '0'], { env });
      if (r.status !== 0) throw new Error('node -e 0 failed');
    })));
  const { NODE_EXTRA_CA_CERTS: caBundle, ...env } = process.env;
  return { floor: start(env), ...(caBundle ? { withCaBundle: start(process.env) } : {}) };
}

/** One line that says what the floor is, for a bench's header. */
export function describeNodeStart(n: { floor: number; withCaBundle?: number }): string {
  const ca = n.withCaBundle === undefined ? '' : `; ${n.withCaBundle.toFixed(1)} ms with this shell's NODE_EXTRA_CA_CERTS, which the launcher unsets`;
  return `node -e 0: ${n.floor.toFixed(1)} ms (the floor of every corral command${ca})`;
}
