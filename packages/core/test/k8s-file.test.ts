import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLogLine, readLog, type LogRecord } from '@corral/core';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const LINES = [
  '2026-12-04T10:00:00.000000001+00:00 stdout F one',
  '2026-12-04T10:00:01.000000000+00:00 stderr F two',
  '2026-12-04T10:00:02.000000000+00:00 stdout P thr',
  '2026-12-04T10:00:02.100000000+00:00 stdout F ee',
  'garbage line',
];

async function collect(it: AsyncIterable<LogRecord>): Promise<string[]> {
  const out: string[] = [];
  for await (const r of it) out.push(`${r.stream}:${r.text}${r.partial ? '…' : ''}`);
  return out;
}

describe("conmon's k8s-file log", () => {
  it('parses records and skips what is not one', () => {
    expect(parseLogLine(LINES[0]!)).toMatchObject({ stream: 'stdout', partial: false, text: 'one', timeNano: 1796378400000000001n });
    expect(parseLogLine(LINES[2]!)).toMatchObject({ partial: true, text: 'thr' });
    expect(parseLogLine('garbage line')).toBeUndefined();
  });

  it('reads with since, until and tail (whole lines, partial records kept together)', async () => {
    const path = join(dir, 'ctr.log');
    await writeFile(path, `${LINES.join('\n')}\n`);
    expect(await collect(readLog(path))).toEqual(['stdout:one', 'stderr:two', 'stdout:thr…', 'stdout:ee']);
    expect(await collect(readLog(path, { tail: 1 }))).toEqual(['stdout:thr…', 'stdout:ee']);
    expect(await collect(readLog(path, { since: 1796378401000000000n }))).toEqual(['stderr:two', 'stdout:thr…', 'stdout:ee']);
    expect(await collect(readLog(path, { until: 1796378401000000000n }))).toEqual(['stdout:one', 'stderr:two']);
    expect(await collect(readLog(join(dir, 'absent.log')))).toEqual([]);
  });

  it('follows until the writer is done, and drains what comes after the exit', async () => {
    const path = join(dir, 'ctr.log');
    await writeFile(path, `${LINES[0]}\n`);
    let finished = false;
    const reading = collect(readLog(path, { follow: true, done: async () => finished }));
    await new Promise((r) => setTimeout(r, 100));
    await appendFile(path, `${LINES[1]}\n`);
    finished = true;
    // Written after `done` says so, as conmon may: still read.
    await appendFile(path, `${LINES[3]}\n`);
    expect(await reading).toEqual(['stdout:one', 'stderr:two', 'stdout:ee']);
  });
});
