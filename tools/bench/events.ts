// Event backends side by side: events written per second by one process, and filtered
// queries over 100,000 stored events, file log against SQLite.
// Run: node --import tsx tools/bench/events.ts [events=100000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CorralEvent, EventBackend, EventReadOptions } from '@corral/core';
import { nowNano } from '@corral/core/events/time';
import { FileEventBackend } from '@corral/events-file';
import { SqliteEventBackend } from '@corral/events-sqlite';
import { median, timedAsync as time } from './lib/measure.js';

const TOTAL = Number(process.argv[2] ?? 100_000);
const WRITE_N = 20_000;
const RUNS = 5;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-bench-events-'));

const ACTIONS = ['create', 'init', 'start', 'exec', 'exec_died', 'died', 'stop', 'cleanup', 'remove', 'kill'];
const T0 = nowNano() - BigInt(TOTAL) * 1_000_000n;

function eventAt(i: number): CorralEvent {
  const c = i % 1000; // 1,000 containers, ~1 % of events each
  const e: CorralEvent = {
    timeNano: T0 + BigInt(i) * 1_000_000n,
    type: i % 20 === 0 ? 'image' : 'container',
    action: ACTIONS[i % ACTIONS.length]!,
    id: `${c.toString(16).padStart(8, '0')}${'f'.repeat(56)}`,
    name: `ctr-${c}`,
    image: `localhost/app-${c % 50}:latest`,
    attributes: { app: `app-${c % 50}`, tier: c % 2 ? 'front' : 'back' },
  };
  if (e.action === 'died') e.exitCode = i % 3;
  return e;
}

async function count(backend: EventBackend, options: EventReadOptions): Promise<number> {
  let n = 0;
  for await (const _ of backend.read(options)) n++;
  return n;
}

type Row = { what: string; file: number; sqlite: number; unit: string; note?: string };
const rows: Row[] = [];

try {
  // 1. Writes per second, one process, one event per write() call.
  const writeRate = async (backend: EventBackend): Promise<number> => {
    for (let i = 0; i < 200; i++) await backend.write(eventAt(i)); // warm up
    const ms = await time(async () => {
      for (let i = 0; i < WRITE_N; i++) await backend.write(eventAt(i));
    });
    return (WRITE_N / ms) * 1000;
  };
  const fileW = new FileEventBackend({ path: path.join(dir, 'w.log') });
  const fileWBig = new FileEventBackend({ path: path.join(dir, 'w-big.log'), maxSize: 1 << 30 });
  const sqliteW = new SqliteEventBackend({ path: path.join(dir, 'w.db'), maxAgeSeconds: 0 });
  const fileRotating = await writeRate(fileW);
  const fileFlat = await writeRate(fileWBig);
  const sqliteRate = await writeRate(sqliteW);
  rows.push({ what: 'writes/s (file: 1 MiB rotation)', file: fileRotating, sqlite: sqliteRate, unit: 'ev/s' });
  rows.push({ what: 'writes/s (file: no rotation)', file: fileFlat, sqlite: sqliteRate, unit: 'ev/s' });
  fileW.close();
  fileWBig.close();
  sqliteW.close();

  // 2. Queries over TOTAL stored events.
  const file = new FileEventBackend({ path: path.join(dir, 'q.log'), maxSize: 1 << 30 });
  const sqlite = new SqliteEventBackend({ path: path.join(dir, 'q.db'), maxEvents: TOTAL * 2, maxAgeSeconds: 0, pruneEvery: 1e9 });
  for (let i = 0; i < TOTAL; i++) {
    const e = eventAt(i);
    file.writeSync(e);
    sqlite.writeSync(e);
  }
  const sizeMiB = fs.statSync(path.join(dir, 'q.log')).size / 2 ** 20;
  const queries: [string, EventReadOptions][] = [
    ['container=ctr-7 (0.1 %)', { filters: { container: ['ctr-7'] } }],
    ['event=died (10 %)', { filters: { event: ['died'] } }],
    ['label app=app-3 + event=exec', { filters: { label: ['app=app-3'], event: ['exec'] } }],
    ['container prefix + type', { filters: { container: ['0000007'], type: ['container'] } }],
    ['since: newest 1 %', { since: T0 + BigInt(Math.floor(TOTAL * 0.99)) * 1_000_000n }],
    ['no filter (all)', {}],
  ];
  for (const [what, options] of queries) {
    const nf = await count(file, options);
    const ns = await count(sqlite, options);
    if (nf !== ns) throw new Error(`${what}: file found ${nf}, sqlite ${ns}`);
    const tf: number[] = [];
    const ts: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      tf.push(await time(() => count(file, options)));
      ts.push(await time(() => count(sqlite, options)));
    }
    rows.push({ what: `query: ${what}`, file: median(tf), sqlite: median(ts), unit: 'ms', note: `${nf} hits` });
  }
  file.close();
  sqlite.close();

  console.log(`Event backends — ${TOTAL} stored events (file log ${sizeMiB.toFixed(1)} MiB), median of ${RUNS} runs, node ${process.version}`);
  const w = Math.max(...rows.map((r) => r.what.length));
  console.log(`${'measure'.padEnd(w)}  ${'file'.padStart(10)}  ${'sqlite'.padStart(10)}  unit   file/sqlite  note`);
  for (const r of rows) {
    const fmt = (v: number): string => (r.unit === 'ms' ? v.toFixed(1) : Math.round(v).toString()).padStart(10);
    console.log(`${r.what.padEnd(w)}  ${fmt(r.file)}  ${fmt(r.sqlite)}  ${r.unit.padEnd(5)}  ${(r.file / r.sqlite).toFixed(2).padStart(11)}  ${r.note ?? ''}`);
  }
  console.log('(writes: higher is better; queries: lower is better)');
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
