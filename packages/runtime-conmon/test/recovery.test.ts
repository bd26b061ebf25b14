import type { ConmonRuntime } from '../src/index.js';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, Kernel, OciRuntime, silentLogger } from '@corral/core';
import { containerPaths, conmonRuntimePlugin, createConmonRuntimePlugin, type CreateStep } from '../src/index.js';
import { makeRootfs, realHarness, until, type RealHarness } from './helpers.js';
import { findOurProcesses } from '../src/proc.js';

const run = promisify(execFile);
const image = makeRootfs();
afterAll(() => image.remove());
const FIXTURE = resolve(import.meta.dirname, 'fixtures/create-and-leave.ts');

/** Everything a container could leave on the host, for one id. */
async function leftovers(h: RealHarness, id: string): Promise<string[]> {
  const found: string[] = [];
  const paths = containerPaths(h.runDir, id);
  if (existsSync(paths.dir)) found.push(`bundle directory ${paths.dir}`);
  const state = await run('runc', ['--root', join(h.runDir, 'runtimes', 'runc'), 'state', id]).then(
    () => true,
    () => false,
  );
  if (state) found.push(`runc container ${id}`);
  for (const pid of findOurProcesses('conmon', paths.dir)) found.push(`conmon pid ${pid}`);
  for (const ctl of readdirSync('/sys/fs/cgroup')) {
    if (existsSync(join('/sys/fs/cgroup', ctl, 'corral', id))) found.push(`cgroup ${ctl}/corral/${id}`);
  }
  if (readFileSync('/proc/self/mountinfo', 'utf8').includes(id)) found.push('a mount');
  return found;
}

describe('runtime-conmon: crashes, the exit command, runtimes', () => {
  let h: RealHarness;
  const ids: string[] = [];

  beforeEach(() => {
    h = realHarness(image.rootfs);
  });
  afterEach(async () => {
    for (const id of ids.splice(0)) await h.runtime.delete(id, true);
    await h.cleanup();
  });

  it.each<CreateStep>(['bundle-written', 'conmon-spawned', 'runtime-created'])(
    'a create stopped after %s leaves nothing once deleted',
    async (step) => {
      const crashing = realHarness(image.rootfs, {
        onCreateStep: (s) => {
          if (s === step) throw new Error(`simulated crash after ${s}`);
        },
      });
      try {
        const req = crashing.makeRequest({ command: ['sleep', '1000'] });
        await expect(crashing.runtime.create(req)).rejects.toThrow(`simulated crash after ${step}`);
        const before = await leftovers(crashing, req.config.id);
        expect(before.some((l) => l.startsWith('bundle directory'))).toBe(true);
        if (step === 'runtime-created') {
          expect(before).toContain(`runc container ${req.config.id}`);
          expect(before.some((l) => l.startsWith('conmon pid'))).toBe(true);
        }
        await crashing.runtime.delete(req.config.id, true);
        expect(await leftovers(crashing, req.config.id)).toEqual([]);
      } finally {
        await crashing.cleanup();
      }
    },
  );

  it('a create whose process is SIGKILLed right after spawning conmon leaves nothing once deleted', async () => {
    const req = h.makeRequest({ command: ['sleep', '1000'] });
    const reqPath = join(h.runDir, 'request.json');
    writeFileSync(reqPath, JSON.stringify(req));
    const child = await run('node', ['--import', 'tsx', FIXTURE, h.runDir, reqPath, 'conmon-spawned']).catch((e: { signal?: string }) => e);
    expect((child as { signal?: string }).signal).toBe('SIGKILL');
    // conmon, its start pipe closed by the death, may go on to create the container.
    await new Promise((r) => setTimeout(r, 300));
    await h.runtime.delete(req.config.id, true);
    expect(await leftovers(h, req.config.id)).toEqual([]);
  });

  it('a failed runtime create is undone by create itself', async () => {
    const req = h.makeRequest({ command: ['/no/such/binary'] });
    // runc checks the command at create; podman's exit code 127 comes from this code.
    await expect(h.runtime.create(req)).rejects.toMatchObject({ code: ErrorCode.ExecNotFound });
    expect(await leftovers(h, req.config.id)).toEqual([]);
  });

  it('the exit command runs when a container exits with no Node process of ours alive', async () => {
    const out = mkdtempSync(join(tmpdir(), 'corral-exitcmd-'));
    try {
      const script = join(out, 'record.sh');
      writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$@" > "${out}/argv.tmp" && mv "${out}/argv.tmp" "${out}/argv"\n`);
      chmodSync(script, 0o755);
      const req = h.makeRequest({ command: ['sh', '-c', 'sleep 1; exit 7'] });
      ids.push(req.config.id);
      const reqPath = join(out, 'request.json');
      writeFileSync(reqPath, JSON.stringify(req));
      const config = { exitCommand: [script, '--root', '/var/lib/x', 'container', 'cleanup'] };
      const child = await run('node', ['--import', 'tsx', FIXTURE, h.runDir, reqPath], {
        env: { ...process.env, CORRAL_RT_CONFIG: JSON.stringify(config) },
      });
      expect(child.stdout).toContain('started');
      const argv = await until(() => (existsSync(join(out, 'argv')) ? readFileSync(join(out, 'argv'), 'utf8') : undefined), 'the exit command', 20_000);
      expect(argv.trim().split('\n')).toEqual(['--root', '/var/lib/x', 'container', 'cleanup', req.config.id]);
      // The exit file was written before the command ran.
      expect(await h.runtime.state(req.config.id)).toMatchObject({ status: 'stopped', exitCode: 7 });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('crun is refused on this hybrid-cgroup host with a clear error, leaving nothing', async () => {
    const req = h.makeRequest({ runtime: 'crun' });
    const err = await h.runtime.create(req).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.RuntimeError });
    expect((err as Error).message).toMatch(/crun.*hybrid/);
    expect(await leftovers(h, req.config.id)).toEqual([]);
  });

  it('an unknown runtime is an invalid argument', async () => {
    await expect(h.runtime.create(h.makeRequest({ runtime: 'nosuch' }))).rejects.toMatchObject({ code: ErrorCode.InvalidArg });
  });

  it('runsc as the engine default, chosen per container otherwise', async () => {
    const rt = realHarness(image.rootfs, { config: { defaultRuntime: 'runsc' } });
    try {
      const req = rt.makeRequest({ command: ['sh', '-c', 'dmesg | head -1'] });
      await rt.runtime.create(req);
      await rt.runtime.start(req.config.id);
      await rt.runtime.waitExit(req.config.id, { timeoutMs: 20_000 });
      // gVisor's kernel log is its own: proof the sandbox ran it.
      expect(readFileSync(rt.runtime.logPath(req.config.id), 'utf8')).toMatch(/gVisor/i);
      await rt.runtime.delete(req.config.id, true);
    } finally {
      await rt.cleanup();
    }
  });

  it('the plugin provides OciRuntime with its run directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'corral-rt-kernel-'));
    try {
      const kernel = await Kernel.assemble({
        plugins: [createConmonRuntimePlugin()],
        root: join(root, 'lib'),
        runRoot: join(root, 'run'),
        logger: silentLogger,
        config: { 'runtime-conmon': { logSizeMax: 1024 } },
      });
      const rt = kernel.get(OciRuntime) as ConmonRuntime;
      expect(rt.logPath('abc')).toBe(join(root, 'run', 'runtime-conmon', 'containers', 'abc', 'ctr.log'));
      expect(conmonRuntimePlugin.id).toBe('runtime-conmon');
      await kernel.stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
