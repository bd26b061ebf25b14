// A process to be killed with SIGKILL while it writes. Mode "loop" adds containers
// (config, state, dependency edge, exec session: several rows each) as fast as it can;
// mode "pause" stops inside the store's own write transaction, after the config row
// and before the state row, and says "mid" so the parent kills it right there.
import { writeSync } from 'node:fs';
import { ContainerStatus, initialState } from '@corral/core';
import { randomId, sampleConfig, sampleExecSession } from './samples.js';
import { SqliteStateStore } from '../../src/index.js';

const [path, mode] = process.argv.slice(2);

async function main(): Promise<void> {
  const store = await SqliteStateStore.open({ path: path! });
  if (mode === 'pause') {
    const config = sampleConfig({ name: `half-${randomId().slice(0, 8)}` });
    await store.database.write('writing half a container', () => {
      store.database.raw
        .prepare('INSERT INTO containers (id, name, config) VALUES (?, ?, ?)')
        .run(config.id, config.name, JSON.stringify(config));
      writeSync(1, 'mid\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
    });
    return;
  }
  writeSync(1, 'ready\n');
  let previous: string | undefined;
  for (;;) {
    // A large label makes each transaction write several pages.
    const config = sampleConfig({
      dependencies: previous ? [previous] : [],
      labels: { blob: 'x'.repeat(2_000 + Math.floor(Math.random() * 6_000)) },
    });
    await store.containers.add(config, initialState(ContainerStatus.Configured));
    await store.execSessions.add(sampleExecSession(config.id));
    await store.containers.saveState(config.id, { ...initialState(ContainerStatus.Running), pid: 4242 });
    previous = config.id;
  }
}

main().catch((err: unknown) => {
  writeSync(2, `crash-writer failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
