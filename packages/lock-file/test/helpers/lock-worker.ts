// Increments a counter file `rounds` times under the lock `name`, with an await between
// read and write so that a missing exclusion shows as a lost increment. With "remove",
// it also deletes the lock now and then, while holding it or after unlocking, to race
// remove() against the other workers.
import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileLockManager } from '../../src/index.js';

const [dir, name, counter, roundsArg, mode] = process.argv.slice(2);
const locks = new FileLockManager({ dir: dir! });

async function main(): Promise<void> {
  const locker = locks.locker(name!);
  for (let i = 0; i < Number(roundsArg); i++) {
    await locker.lock();
    const value = Number(readFileSync(counter!, 'utf8'));
    await sleep(Math.random() < 0.3 ? 1 : 0);
    writeFileSync(counter!, String(value + 1));
    if (mode === 'remove' && Math.random() < 0.3) await locks.remove(name!);
    await locker.unlock();
    if (mode === 'remove' && Math.random() < 0.3) await locks.remove(name!);
  }
}

main().catch((err: unknown) => {
  writeSync(2, `lock-worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
