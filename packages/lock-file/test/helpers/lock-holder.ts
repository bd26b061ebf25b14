// Mode "hold": takes the lock, says "locked", and sleeps until killed.
// Mode "churn": says "churning" and locks and unlocks in a tight loop until killed,
// holding each time for 20 ms of busy work: the lock is free for microseconds only.
// Mode "wait-exit": waits for a lock someone else holds, and calls process.exit(0)
// after 200 ms of waiting (a pending wait must not keep the process alive).
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { FileLockManager } from '../../src/index.js';

const [dir, name, mode] = process.argv.slice(2);
const locks = new FileLockManager({ dir: dir! });

async function main(): Promise<void> {
  const locker = locks.locker(name!);
  if (mode === 'hold') {
    await locker.lock();
    writeSync(1, 'locked\n');
    setInterval(() => {}, 60_000);
    return;
  }
  if (mode === 'churn') {
    writeSync(1, 'churning\n');
    for (;;) {
      await locker.lock();
      const until = performance.now() + 20;
      while (performance.now() < until);
      await locker.unlock();
    }
  }
  if (mode === 'wait-exit') {
    setTimeout(() => process.exit(0), 200);
    writeSync(1, 'waiting\n');
    await locker.lock();
    writeSync(1, 'got it\n');
  }
}

main().catch((err: unknown) => {
  writeSync(2, `lock-holder failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
