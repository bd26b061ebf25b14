import { execFileSync } from 'node:child_process';
import { unmountUnder } from '@corral/testkit/host-cleanup';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Engine } from '@corral/core';
import { loadConfig, openEngine, type DistroConfig } from '../src/index.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** An engine of the embedded defaults on private roots, with the busybox image. */
export async function realEngine(overrides: Partial<DistroConfig> = {}): Promise<{ engine: Engine; dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'corral-distro-'));
  const config = { ...loadConfig({ root: join(dir, 'root'), runRoot: join(dir, 'run') }, {}), ...overrides };
  const engine = await openEngine({ config, logger: pino({ level: process.env.CORRAL_TEST_LOG ?? 'silent' }) });
  const tar = join(dir, 'busybox.tar');
  execFileSync(join(repo, 'tools/images/busybox-rootfs.sh'), ['--tar', tar]);
  await engine.images.importRootfs(createReadStream(tar), { reference: 'busybox' });
  return {
    engine,
    dir,
    async dispose() {
      for (const r of await engine.list()) await engine.removeContainer(r.config.id, { force: true, timeout: 0 }).catch(() => undefined);
      await engine.close();
      unmountUnder(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
