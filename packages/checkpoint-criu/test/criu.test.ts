import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointBackend, ErrorCode, Kernel, PluginSkipError } from '@corral/core';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpointCriuPlugin, CriuCheckpointBackend, DEFAULT_CRIU_PATH, knownLimitation, probeCriu } from '../src/index.js';
import { alive, killRestored, readCount, startCounter, waitCountAbove, waitSessionGone } from './helpers/counter.js';
import { silentLogger, tempDirs } from './helpers/dirs.js';

const CRIU = process.env.CORRAL_CRIU ?? DEFAULT_CRIU_PATH;
const tmp = tempDirs();

beforeAll(() => {
  if (!existsSync(CRIU)) throw new Error(`CRIU wrapper ${CRIU} is missing: run tools/setup-criu.sh (as root)`);
});

describe('the installed CRIU', () => {
  it('passes `criu check` on this kernel through the wrapper', async () => {
    const version = await execa(CRIU, ['--version']);
    expect(version.stdout).toMatch(/Version: 4\./);
    const check = await execa(CRIU, ['check'], { all: true, reject: false });
    expect(check.exitCode, check.all).toBe(0);
    expect(check.all).toContain('Looks good');
  });

  it('dumps a process tree and restores it: the counter goes on from where it was', async () => {
    const dir = await tmp();
    const images = join(dir, 'images');
    const counter = startCounter(dir);
    let restoredPid = 0;
    try {
      await waitCountAbove(counter.countFile, 3);
      await mkdir(images);
      const d = await execa(CRIU, ['dump', '-t', String(counter.pid), '-D', images, '-o', 'dump.log'], { all: true, reject: false });
      if (d.exitCode !== 0) throw new Error(`criu dump failed: ${d.all}\n${await readLog(join(images, 'dump.log'))}`);
      await counter.exited;
      await waitSessionGone(counter.pid);
      const atDump = await readCount(counter.countFile);
      expect(alive(counter.pid)).toBe(false);

      const pidFile = join(dir, 'restored.pid');
      const r = await execa(CRIU, ['restore', '-D', images, '-o', 'restore.log', '--restore-detached', '--pidfile', pidFile], { all: true, reject: false });
      if (r.exitCode !== 0) throw new Error(`criu restore failed: ${r.all}\n${await readLog(join(images, 'restore.log'))}`);
      restoredPid = Number((await readFile(pidFile, 'utf8')).trim());
      // CRIU brings the tree back under its own pid.
      expect(restoredPid).toBe(counter.pid);
      const after = await waitCountAbove(counter.countFile, atDump + 2);
      expect(after).toBeGreaterThan(atDump);
    } finally {
      if (restoredPid) await killRestored(restoredPid, counter.countFile);
      else if (alive(counter.pid)) process.kill(-counter.pid, 'SIGKILL');
    }
  });
});

async function readLog(path: string): Promise<string> {
  return readFile(path, 'utf8').then(
    (t) => t.split('\n').slice(-15).join('\n'),
    () => '',
  );
}

describe('the checkpoint-criu plugin', () => {
  const kernels: Kernel[] = [];
  afterEach(async () => {
    for (const k of kernels.splice(0)) await k.stop();
  });

  async function assemble(config: Record<string, unknown>): Promise<Kernel> {
    const root = await tmp();
    const kernel = await Kernel.assemble({
      plugins: [createCheckpointCriuPlugin()],
      config: { 'checkpoint-criu': config },
      root: join(root, 'lib'),
      runRoot: join(root, 'run'),
      logger: silentLogger,
    });
    kernels.push(kernel);
    return kernel;
  }

  it('starts when CRIU works and hands out its path', async () => {
    const kernel = await assemble({ criuPath: CRIU });
    expect(kernel.skipped).toEqual([]);
    const backend = kernel.get(CheckpointBackend);
    expect(backend.criuPath()).toBe(CRIU);
    expect((backend as CriuCheckpointBackend).version).toMatch(/^4\./);
  });

  it('skips itself with a clear reason when the CRIU path is bogus', async () => {
    const bogus = '/nonexistent/corral/criu';
    const kernel = await assemble({ criuPath: bogus });
    expect(kernel.skipped).toHaveLength(1);
    expect(kernel.skipped[0]!.id).toBe('checkpoint-criu');
    expect(kernel.skipped[0]!.reason).toContain(`CRIU not found at ${bogus}`);
    expect(kernel.has(CheckpointBackend)).toBe(false);
    expect(() => kernel.get(CheckpointBackend)).toThrow(PluginSkipError);
  });

  it('skips itself when the file is not CRIU at all', async () => {
    const err = await probeCriu('/bin/false').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginSkipError);
    expect((err as PluginSkipError).code).toBe(ErrorCode.PluginSkipped);
    expect((err as Error).message).toContain('does not run');
  });

  it('knows which CRIU versions cannot dump inet sockets on which kernels', () => {
    expect(knownLimitation('4.1.1', '6.18.44-fc-v1252')).toMatch(/cannot checkpoint processes holding TCP or UDP sockets/);
    expect(knownLimitation('3.17.1', '6.16.0')).toBeDefined();
    expect(knownLimitation('4.2.1', '6.18.44')).toBeUndefined();
    expect(knownLimitation('4.1.1', '6.1.0-18-amd64')).toBeUndefined();
  });

  // Debian bookworm's own criu 3.17 is the case the private install exists for.
  it.skipIf(!existsSync('/usr/sbin/criu'))('names the kernel failure of a CRIU that cannot work here', async () => {
    const version = await execa('/usr/sbin/criu', ['--version'], { reject: false });
    const check = await execa('/usr/sbin/criu', ['check'], { reject: false });
    const err = await probeCriu('/usr/sbin/criu').catch((e: unknown) => e);
    if (check.exitCode === 0) {
      expect(err).toMatchObject({ path: '/usr/sbin/criu' });
      return;
    }
    expect(err).toBeInstanceOf(PluginSkipError);
    const v = /Version:\s*(\S+)/.exec(version.stdout)?.[1];
    expect((err as Error).message).toMatch(new RegExp(`^criu ${v!.replace(/\./g, '\\.')} at /usr/sbin/criu fails on this kernel: \\S`));
    expect((err as Error).message).toMatch(/vdso/i);
  });
});
