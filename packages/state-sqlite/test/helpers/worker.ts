// One of several processes hammering one database: for k = 0, 1, ... it adds container
// <worker>-<k>, saves its state with pid = k, and removes it again when k is odd, until
// `ops` calls were made. It also races the other workers for the name "shared".
// Prints a JSON summary; exits 1 on the first unexpected error.
import { writeSync } from 'node:fs';
import { ContainerStatus, ErrorCode, codeOf, initialState } from '@corral/core';
import { sampleConfig } from './samples.js';
import { SqliteStateStore } from '../../src/index.js';

const [path, workerArg, opsArg] = process.argv.slice(2);
const worker = Number(workerArg);
const ops = Number(opsArg);

const containerId = (w: number, k: number): string =>
  `${w.toString(16).padStart(4, '0')}${k.toString(16).padStart(4, '0')}`.padEnd(64, 'e');

async function main(): Promise<void> {
  const store = await SqliteStateStore.open({ path: path! });
  let calls = 0;
  let wonShared = false;
  try {
    await store.containers.add(sampleConfig({ name: 'shared' }), initialState(ContainerStatus.Configured));
    wonShared = true;
  } catch (err) {
    if (codeOf(err) !== ErrorCode.CtrExists) throw err;
  }
  for (let k = 0; calls < ops; k++) {
    const id = containerId(worker, k);
    await store.containers.add(sampleConfig({ id, name: `w${worker}-${k}` }), initialState(ContainerStatus.Configured));
    calls++;
    if (calls >= ops) break;
    await store.containers.saveState(id, { ...initialState(ContainerStatus.Running), pid: k });
    calls++;
    if (calls >= ops) break;
    if (k % 2 === 1) {
      await store.containers.remove(id);
      calls++;
    }
  }
  store.close();
  writeSync(1, `${JSON.stringify({ worker, calls, wonShared })}\n`);
}

main().catch((err: unknown) => {
  writeSync(2, `worker ${worker} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
