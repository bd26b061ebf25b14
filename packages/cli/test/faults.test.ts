import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORRAL, Sandbox } from './harness.js';

/**
 * `corral run -d` killed with SIGKILL at random moments; afterwards `rm -a -f` must
 * leave no runtime container, conmon process, mount or network namespace behind.
 */
let box: Sandbox;
beforeAll(async () => {
  box = await Sandbox.create();
});
afterAll(async () => {
  await box?.dispose();
});

function conmonsOf(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.startsWith('conmon') || cmd.includes('/conmon\0')) {
        if (cmd.includes(dir)) pids.push(Number(entry));
      }
    } catch {
      // gone
    }
  }
  return pids;
}

/** The runtime plugin keeps runc's state under its own run directory. */
function runcContainers(runRoot: string): string[] {
  const stateRoot = join(runRoot, 'runtime-conmon', 'runtimes', 'runc');
  try {
    return execFileSync('runc', ['--root', stateRoot, 'list', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return []; // no state root: runc never ran
  }
}

describe('fault injection', () => {
  it('twenty run -d killed at random moments leave nothing behind after rm -a -f', async () => {
    for (let i = 0; i < 20; i++) {
      const child = spawn(CORRAL, ['--root', box.root, '--runroot', box.runRoot, 'run', '-d', 'busybox', 'sleep', '600'], {
        stdio: 'ignore',
        env: { ...process.env, CORRAL_CONFIG: join(box.dir, 'none.toml') },
      });
      const closed = new Promise((r) => child.once('close', r));
      await new Promise((r) => setTimeout(r, 80 + Math.random() * 500));
      child.kill('SIGKILL');
      await closed;
    }
    const rm = await box.run(['rm', '--all', '--force', '--time', '0']);
    expect({ code: rm.code, stderr: rm.stderr }).toEqual({ code: 0, stderr: '' });
    expect((await box.run(['ps', '-a', '-q'])).stdout).toBe('');
    expect(runcContainers(box.runRoot)).toEqual([]);
    expect(readdirSync(join(box.runRoot, 'network-netavark', 'netns'))).toEqual([]);
    expect(conmonsOf(box.dir)).toEqual([]);
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(box.dir) && l.includes('overlay'));
    expect(mounts).toEqual([]);
  }, 180_000);
});
