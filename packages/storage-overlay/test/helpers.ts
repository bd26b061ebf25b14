import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unmountUnder } from '@corral/testkit/host-cleanup';
import { silentLogger, type Logger } from '@corral/core';
import { openOverlayStore } from '../src/index.js';

export { silentLogger };

/** A logger that records warnings, for tests that expect some. */
export function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger: Logger & { warnings: string[] } = {
    warnings,
    child: () => logger,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (a: unknown, b?: string) => void warnings.push(typeof a === 'string' ? a : `${b ?? ''} ${JSON.stringify(a)}`),
    error: () => undefined,
  };
  return logger;
}

/** Unmounts anything still mounted under `root` (deepest first) and removes it. */
export async function removeRoot(root: string): Promise<void> {
  unmountUnder(root);
  await rm(root, { recursive: true, force: true });
}

export async function tempStore(logger: Logger = silentLogger) {
  const root = await mkdtemp(join(tmpdir(), 'corral-overlay-'));
  const store = await openOverlayStore(root, logger);
  return {
    root,
    ...store,
    cleanup: async () => {
      store.close();
      await removeRoot(root);
    },
  };
}
