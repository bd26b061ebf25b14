// Benchmark of the embedded defaults: the SQLite state store and the flock lock manager.
//   node --import tsx tools/bench/state-locks.ts [containers=10000]
// Prints a table of figures with the targets of issue 3 and their ratio.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ContainerStatus, initialState, type ContainerConfig } from '@corral/core';
import { FileLockManager } from '@corral/lock-file';
import { SqliteStateStore } from '@corral/state-sqlite';
import { sampleConfig } from '@corral/testkit/samples';
import { median } from './lib/measure.js';

const PAIRS = 1_000;
const CONTENDERS = 4;

function config(i: number): ContainerConfig {
  const id = randomBytes(32).toString('hex');
  return sampleConfig({
    id,
    name: `bench-${i}`,
    command: ['sleep 1000'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm', `INDEX=${i}`],
    labels: { app: 'bench', tier: String(i % 7) },
    network: { mode: 'bridge', attachments: [{ network: 'corral', staticIps: [], staticMac: '', aliases: [] }], ports: [], dnsServers: [], dnsSearch: [], extraHosts: [] },
  });
}

interface Row {
  what: string;
  count: number;
  totalMs: number;
  perOp: string;
  target: string;
  ratio: string;
}
const rows: Row[] = [];

function record(what: string, count: number, totalMs: number, unit: 'ms' | 'µs', targetPerOp?: number, targetUnit?: 'ms' | 'µs'): void {
  const per = totalMs / count;
  const perOp = unit === 'ms' ? `${per.toFixed(3)} ms` : `${(per * 1000).toFixed(1)} µs`;
  let target = '';
  let ratio = '';
  if (targetPerOp !== undefined) {
    const targetMs = targetUnit === 'µs' ? targetPerOp / 1000 : targetPerOp;
    target = `< ${targetPerOp} ${targetUnit}`;
    ratio = `${(per / targetMs).toFixed(2)}x of target ${per < targetMs ? 'ok' : 'MISSED'}`;
  }
  rows.push({ what, count, totalMs: Number(totalMs.toFixed(1)), perOp, target, ratio });
}

async function benchState(dir: string, count: number): Promise<void> {
  let store = await SqliteStateStore.open({ path: join(dir, 'state.db') });
  const configs = Array.from({ length: count }, (_, i) => config(i));
  let t = performance.now();
  for (const c of configs) await store.containers.add(c, { ...initialState(ContainerStatus.Running), pid: 1000 });
  record(`add (one transaction each, synchronous=FULL)`, count, performance.now() - t, 'ms');

  // A fresh connection, as a CLI process would have.
  store.close();
  store = await SqliteStateStore.open({ path: join(dir, 'state.db') });
  const listTimes: number[] = [];
  const fullTimes: number[] = [];
  for (let i = 0; i < 7; i++) {
    t = performance.now();
    const all = await store.containers.list();
    listTimes.push(performance.now() - t);
    if (all.length !== count) throw new Error(`listed ${all.length}, expected ${count}`);
    let names = 0;
    for (const r of all) names += r.config.name.length;
    fullTimes.push(performance.now() - t);
    if (names === 0) throw new Error('no names');
  }
  record(`list all ${count} with states, first call`, 1, listTimes[0]!, 'ms', 50, 'ms');
  record(`list all ${count} with states (median of 7)`, 1, median(listTimes), 'ms', 50, 'ms');
  record(`list all ${count} with states (best of 7)`, 1, Math.min(...listTimes), 'ms', 50, 'ms');
  // Floors measured in the same run, so the ratio means something on a loaded machine.
  const raw = store.database.raw;
  const rowsOnly = raw.prepare('SELECT c.config, s.state FROM containers c JOIN container_states s ON s.rid = c.rid').raw();
  const stateTexts = raw.prepare('SELECT state FROM container_states').pluck().all() as string[];
  const floorQuery: number[] = [];
  const floorParse: number[] = [];
  for (let i = 0; i < 7; i++) {
    t = performance.now();
    rowsOnly.all();
    floorQuery.push(performance.now() - t);
    t = performance.now();
    for (const text of stateTexts) JSON.parse(text);
    floorParse.push(performance.now() - t);
  }
  record(`  floor: the SQL join alone, no parsing (median)`, 1, median(floorQuery), 'ms');
  record(`  floor: JSON.parse of ${count} states alone (median)`, 1, median(floorParse), 'ms');
  record(`list all ${count} and read every config (median)`, 1, median(fullTimes), 'ms');
  record(`list all ${count} and read every config (best)`, 1, Math.min(...fullTimes), 'ms');

  const picks = Array.from({ length: 1_000 }, () => configs[Math.floor(Math.random() * count)]!);
  for (const c of picks.slice(0, 100)) await store.containers.lookup(c.name); // warm up
  t = performance.now();
  for (const c of picks) await store.containers.lookup(c.name);
  record('lookup by name', picks.length, performance.now() - t, 'ms', 0.2, 'ms');
  t = performance.now();
  for (const c of picks) await store.containers.lookup(c.id.slice(0, 12));
  record('lookup by id prefix (12 chars)', picks.length, performance.now() - t, 'ms', 0.2, 'ms');
  t = performance.now();
  for (const c of picks) await store.containers.getState(c.id);
  record('getState by id', picks.length, performance.now() - t, 'ms');
  t = performance.now();
  for (const c of picks) await store.containers.saveState(c.id, { ...initialState(ContainerStatus.Exited), exitCode: 0 });
  record('saveState (one transaction each)', picks.length, performance.now() - t, 'ms');
  store.close();
}

async function benchLocks(dir: string): Promise<void> {
  const locks = new FileLockManager({ dir: join(dir, 'locks') });
  const locker = locks.locker('uncontended');
  for (let i = 0; i < 200; i++) {
    await locker.lock();
    await locker.unlock();
  }
  let t = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    await locker.lock();
    await locker.unlock();
  }
  record('lock+unlock, uncontended', PAIRS, performance.now() - t, 'µs', 50, 'µs');

  // Four async operations of one process on one name: handed over in process.
  t = performance.now();
  await Promise.all(
    Array.from({ length: CONTENDERS }, async () => {
      const mine = locks.locker('in-process');
      for (let i = 0; i < PAIRS / CONTENDERS; i++) {
        await mine.lock();
        await mine.unlock();
      }
    }),
  );
  record(`lock+unlock, ${CONTENDERS} async callers in one process`, PAIRS, performance.now() - t, 'µs');

  // Four processes, PAIRS each, on one name.
  const self = fileURLToPath(import.meta.url);
  const children = Array.from({ length: CONTENDERS }, () =>
    spawn(process.execPath, ['--import', 'tsx', self, '--contend', join(dir, 'locks'), String(PAIRS)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const outputs = children.map(
    (child) =>
      new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('ready\n') && !out.includes('ready\n', out.indexOf('ready\n') + 1)) child.emit('ready');
        });
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`contender exited with ${code}`))));
      }),
  );
  await Promise.all(children.map((c) => new Promise((r) => c.once('ready', r))));
  t = performance.now();
  for (const c of children) c.stdin.end('go\n');
  const results = (await Promise.all(outputs)).map((o) => JSON.parse(o.slice(o.indexOf('{'))) as { ms: number; maxWaitMs: number });
  const wall = performance.now() - t;
  record(`lock+unlock, ${CONTENDERS} processes x ${PAIRS} (wall, per pair)`, CONTENDERS * PAIRS, wall, 'µs');
  const maxWait = Math.max(...results.map((r) => r.maxWaitMs));
  rows.push({ what: `  longest single wait in a contender`, count: 1, totalMs: Number(maxWait.toFixed(1)), perOp: '', target: '', ratio: '' });
}

async function contend(dir: string, pairs: number): Promise<void> {
  const locker = new FileLockManager({ dir }).locker('contended');
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  let maxWaitMs = 0;
  const start = performance.now();
  for (let i = 0; i < pairs; i++) {
    const t = performance.now();
    await locker.lock();
    maxWaitMs = Math.max(maxWaitMs, performance.now() - t);
    await locker.unlock();
  }
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - start, maxWaitMs })}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--contend') {
    await contend(process.argv[3]!, Number(process.argv[4]));
    return;
  }
  const count = Number(process.argv[2] ?? 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'corral-bench-state-locks-'));
  try {
    await benchState(dir, count);
    await benchLocks(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The machine is shared: the load tells how much of a core this run had.
  process.stdout.write(`node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.table(rows);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
