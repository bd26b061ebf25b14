import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitForNoProcess } from '@corral/testkit/host-cleanup';
import { Sandbox } from './harness.js';

let box: Sandbox;
beforeAll(async () => {
  box = await Sandbox.create();
});
afterAll(async () => {
  await box?.dispose();
});

describe('corral run', () => {
  it('runs a real container and prints its output; --rm leaves nothing', async () => {
    const r = await box.run(['run', '--rm', 'busybox', 'echo', 'hello from corral']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello from corral\n');
    expect(r.code).toBe(0);
    expect((await box.run(['ps', '-a', '-q'])).stdout).toBe('');
  });

  it("returns the container's exit code", async () => {
    expect((await box.run(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3'])).code).toBe(3);
  });

  it('keeps stdout and stderr apart', async () => {
    const r = await box.run(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
  });

  it('127 for a command that does not exist, 126 for one that cannot run', async () => {
    expect((await box.run(['run', '--rm', 'busybox', '/no/such/thing'])).code).toBe(127);
    expect((await box.run(['run', '--rm', 'busybox', '/etc/passwd'])).code).toBe(126);
    expect((await box.run(['ps', '-a', '-q'])).stdout).toBe('');
  });

  it('passes piped stdin with -i', async () => {
    const r = await box.run(['run', '--rm', '-i', 'busybox', 'cat'], { input: 'hi\n' });
    expect(r.stdout).toBe('hi\n');
    expect(r.code).toBe(0);
  });

  it('honours env, working directory, user and hostname', async () => {
    const r = await box.run([
      'run', '--rm', '-e', 'GREETING=hey', '-w', '/tmp', '-u', '1000:1000', '--hostname', 'box1',
      'busybox', 'sh', '-c', 'echo $GREETING $(pwd) $(id -u):$(id -g) $(hostname)',
    ]);
    expect(r.stdout).toBe('hey /tmp 1000:1000 box1\n');
  });

  it('an engine error is 125 with a message that names the problem', async () => {
    const r = await box.run(['run', '--rm', 'no-such-image', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: .*no-such-image/);
    const bad = await box.run(['run', '--rm', '--name', 'bad/name', 'busybox', 'true']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/invalid container name/);
  });
});

describe('a detached container', () => {
  it('runs, execs, logs, stops and is removed', async () => {
    const started = await box.run(['run', '-d', '--name', 'web', 'busybox', 'sh', '-c', 'echo ready; sleep 300']);
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ps = await box.run(['ps', '--format', '{{.ID}} {{.Names}} {{.State}}']);
    expect(ps.stdout).toBe(`${id.slice(0, 12)} web running\n`);
    expect((await box.run(['exec', 'web', 'true'])).code).toBe(0);
    expect((await box.run(['exec', 'web', 'sh', '-c', 'exit 3'])).code).toBe(3);
    expect((await box.run(['exec', 'web', 'nonexistent'])).code).toBe(127);
    expect((await box.run(['exec', 'web', 'cat', '/etc/hostname'])).stdout).toBe(`${id.slice(0, 12)}\n`);
    expect((await box.run(['logs', 'web'])).stdout).toBe('ready\n');
    expect((await box.run(['inspect', '--format', '{{.State.Status}} {{.Config.Tty}}', 'web'])).stdout).toBe('running false\n');
    expect((await box.run(['stop', '-t', '1', 'web'])).stdout).toBe('web\n');
    // sh as PID 1 ignores SIGTERM (no default handler), so the timeout's SIGKILL ends it.
    expect((await box.run(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'web'])).stdout).toBe('exited 137\n');
    expect((await box.run(['rm', 'web'])).code).toBe(0);
    expect((await box.run(['ps', '-a', '-q'])).stdout).toBe('');
  });

  it('is cleaned up by the exit command when it exits on its own', async () => {
    const id = (await box.run(['run', '-d', 'busybox', 'sh', '-c', 'echo bye; exit 2'])).stdout.trim();
    // No corral process waits for it: conmon's exit command runs `corral container cleanup`.
    let status = '';
    for (let i = 0; i < 100 && status !== 'exited 2'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await box.run(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', id])).stdout.trim();
    }
    expect(status).toBe('exited 2');
    // The log outlives the runtime container: it goes only with the container.
    expect((await box.run(['logs', id])).stdout).toBe('bye\n');
    await box.run(['rm', id]);
  });

  it('leaves no lock file behind when the exit command races the removal', async () => {
    // In both the exit command queues on the container's lock while corral removes it.
    for (let i = 0; i < 3; i++) {
      expect((await box.run(['run', '--rm', 'busybox', 'true'])).code).toBe(0);
      const id = (await box.run(['create', 'busybox', 'true'])).stdout.trim();
      for (const cmd of ['start', 'wait', 'rm']) expect((await box.run([cmd, id])).code).toBe(0);
    }
    // A --rm container removed by the stop itself.
    const auto = (await box.run(['run', '-d', '--rm', 'busybox', 'sleep', '60'])).stdout.trim();
    expect((await box.run(['stop', '-t', '0', auto])).code).toBe(0);
    // The late exit commands of this store finish first.
    expect(await waitForNoProcess((cmdline) => cmdline.includes(box.root) && cmdline.includes('container\0cleanup'))).toBe(true);
    const kept = new Set((await box.run(['ps', '-a', '-q', '--no-trunc'])).stdout.split('\n').filter(Boolean));
    // Container locks are named by id (the engine has a few of its own).
    const locks = readdirSync(join(box.runRoot, 'lock-file', 'locks'))
      .map((f) => f.replace(/\.(lock|wait)$/, ''))
      .filter((name) => /^[0-9a-f]{64}$/.test(name));
    expect(locks.filter((id) => !kept.has(id))).toEqual([]);
  });

  it('a --rm container that exits on its own goes away by itself', async () => {
    const id = (await box.run(['run', '-d', '--rm', 'busybox', 'true'])).stdout.trim();
    let exists = 0;
    for (let i = 0; i < 100; i++) {
      exists = (await box.run(['container', 'exists', id])).code;
      if (exists === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(exists).toBe(1);
  });
});
