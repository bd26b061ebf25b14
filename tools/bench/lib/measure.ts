// What every benchmark here measures with: wall times in milliseconds, and medians.

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
