import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ContainerStatus as S, ErrorCode, type Container, type Engine } from '@corral/core';
import { realEngine, sleep } from './engine-harness.js';

/**
 * Checkpoint and restore through the engine with the real plugins: conmon, runc,
 * CRIU (tools/setup-criu.sh), overlay storage and netavark.
 */
let engine: Engine;
let dir: string;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ engine, dir, dispose } = await realEngine());
  if (engine.kernel.skipped.some((s) => s.id === 'checkpoint-criu')) {
    throw new Error(`CRIU is not usable: ${JSON.stringify(engine.kernel.skipped)}`);
  }
}, 120_000);
afterAll(async () => {
  await dispose?.();
});

const COUNTER = ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'];

async function counter(ctr: Container): Promise<number> {
  const root = await ctr.mount();
  try {
    return Number((await readFile(join(root, 'tmp/count'), 'utf8')).trim());
  } finally {
    await ctr.unmount();
  }
}

async function runCounter(name: string): Promise<Container> {
  const ctr = await engine.createContainer({ image: 'busybox', name, command: COUNTER });
  await ctr.start();
  await sleep(600);
  return ctr;
}

describe('checkpoint and restore', () => {
  it('restores a counter that continues from where it was, as the same process', async () => {
    const ctr = await runCounter('counter');
    await ctr.checkpoint();
    const state = await ctr.sync();
    expect(state.status).toBe(S.Exited);
    expect(state.checkpointed).toBe(true);
    const at = await counter(ctr);
    expect(at).toBeGreaterThan(0);
    await sleep(300);
    expect(await counter(ctr)).toBe(at); // nothing runs while checkpointed
    await ctr.restore();
    expect((await ctr.sync()).status).toBe(S.Running);
    await sleep(300);
    // A fresh process would count from 1 again; the restored one goes on from `at`.
    expect(await counter(ctr)).toBeGreaterThan(at);
    await ctr.remove({ force: true, timeout: 0 });
  });

  it('KeepRunning leaves it running', async () => {
    const ctr = await runCounter('keeper');
    await ctr.checkpoint({ keepRunning: true });
    expect((await ctr.sync()).status).toBe(S.Running);
    const a = await counter(ctr);
    await sleep(400);
    expect(await counter(ctr)).toBeGreaterThan(a);
    await ctr.remove({ force: true, timeout: 0 });
  });

  it('exports, is removed, and comes back twice from one archive under other names', async () => {
    const ctr = await runCounter('original');
    const archive = join(dir, 'original.tar.gz');
    await ctr.checkpoint({ targetFile: archive });
    const at = await counter(ctr);
    await ctr.remove({ force: true });
    expect((await stat(archive)).size).toBeGreaterThan(0);

    const one = await engine.restoreFromArchive(archive, { name: 'copy1' });
    const two = await engine.restoreFromArchive(archive, { name: 'copy2', ignoreStaticIp: true, ignoreStaticMac: true });
    expect(one.id).not.toBe(two.id);
    await sleep(500);
    for (const copy of [one, two]) {
      expect((await copy.sync()).status).toBe(S.Running);
      expect(await counter(copy)).toBeGreaterThan(at);
    }
    await one.remove({ force: true, timeout: 0 });
    await two.remove({ force: true, timeout: 0 });
  });

  it('a tampered archive is refused and leaves nothing behind', async () => {
    const ctr = await runCounter('victim');
    const archive = join(dir, 'victim.tar.gz');
    await ctr.checkpoint({ targetFile: archive, keepRunning: true });
    await ctr.remove({ force: true, timeout: 0 });

    // Rewrite config.dump so that its name is hostile.
    const unpacked = join(dir, 'tamper');
    await rm(unpacked, { recursive: true, force: true });
    await mkdir(unpacked);
    execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
    const config = JSON.parse(await readFile(join(unpacked, 'config.dump'), 'utf8'));
    config.name = '../../etc/evil';
    await writeFile(join(unpacked, 'config.dump'), JSON.stringify(config));
    const tampered = join(dir, 'tampered.tar.gz');
    execFileSync('tar', ['-czf', tampered, '-C', unpacked, '.']);

    const before = (await engine.list()).length;
    const err = await engine.restoreFromArchive(tampered).catch((e) => e);
    expect(err.code).toBe(ErrorCode.ArchiveInvalid);
    expect((await engine.list()).length).toBe(before);
    const imports = await readdirOrEmpty(join(dir, 'root', 'engine', 'import'));
    expect(imports).toEqual([]);
  });
});

async function readdirOrEmpty(path: string): Promise<string[]> {
  return readdir(path).catch(() => []);
}
