import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unmountUnder } from '@corral/testkit/host-cleanup';
import { execFileSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, silentLogger } from '@corral/core';

/** README's "a distribution in a few lines": runsc for every container, events in SQLite. */
const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');
let dir: string;
let engine: Engine;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-custom-'));
  // Imported as the distro's catalog does (lazily), which the boundary lint requires.
  const { createStateSqlitePlugin } = await import('@corral/state-sqlite');
  const { createLockFilePlugin } = await import('@corral/lock-file');
  const { createConmonRuntimePlugin } = await import('@corral/runtime-conmon');
  const { createStorageOverlayPlugin } = await import('@corral/storage-overlay');
  const { createEventsSqlitePlugin } = await import('@corral/events-sqlite');
  engine = await Engine.create({
    plugins: [createStateSqlitePlugin(), createLockFilePlugin(), createConmonRuntimePlugin(), createStorageOverlayPlugin(), createEventsSqlitePlugin()],
    defaults: { runtime: 'runsc' },
    root: join(dir, 'lib'),
    runRoot: join(dir, 'run'),
    logger: silentLogger,
  });
  const tar = join(dir, 'busybox.tar');
  execFileSync(join(repo, 'tools/images/busybox-rootfs.sh'), ['--tar', tar]);
  await engine.images.importRootfs(createReadStream(tar), { reference: 'busybox' });
}, 120_000);
afterAll(async () => {
  for (const r of (await engine?.list()) ?? []) await engine.removeContainer(r.config.id, { force: true, timeout: 0 }).catch(() => undefined);
  await engine?.close();
  unmountUnder(dir);
  await rm(dir, { recursive: true, force: true });
});

describe('a custom distribution assembled in code', () => {
  it('runs its containers in gVisor and keeps its events in SQLite', async () => {
    const ctr = await engine.createContainer({ image: 'busybox', command: ['dmesg'], network: { mode: 'none' } });
    expect(ctr.config.runtime).toBe('runsc');
    await ctr.start();
    expect(await ctr.wait()).toBe(0);
    // gVisor's kernel introduces itself in dmesg; runc would show the host's (or refuse).
    expect(readFileSync(ctr.logPath(), 'utf8')).toMatch(/gVisor/i);
    const actions: string[] = [];
    for await (const e of engine.events.read({ filters: { container: [ctr.id] } })) actions.push(e.action);
    expect(actions).toEqual(expect.arrayContaining(['create', 'init', 'start', 'died']));
  });
});
