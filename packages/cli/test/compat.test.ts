import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unmountUnder } from '@corral/testkit/host-cleanup';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox, type Result } from './harness.js';

/**
 * The same invocations against podman and against corral, on the same image: exit
 * codes must match, and output must match once ids and times are masked.
 */
const podmanDir = mkdtempSync(join(tmpdir(), 'corral-compat-podman-'));
const podmanArgs = ['--root', join(podmanDir, 'root'), '--runroot', join(podmanDir, 'run'), '--storage-driver', 'overlay'];

function podman(args: string[], input = ''): Result {
  const r = spawnSync('podman', [...podmanArgs, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Masks what legitimately differs between two engines: ids, times, durations. */
function shape(text: string): string {
  return text
    .replace(/[0-9a-f]{64}/g, '<ID>')
    .replace(/\b[0-9a-f]{12}\b/g, '<ID>')
    .replace(/(Less than a second|\d+ seconds?|About a minute|\d+ minutes) ago/g, '<AGO>')
    .replace(/ +/g, ' ');
}

let box: Sandbox;
beforeAll(async () => {
  box = await Sandbox.create();
  const tar = join(podmanDir, 'busybox.tar');
  execFileSync(join(__dirname, '../../../tools/images/busybox-rootfs.sh'), ['--tar', tar]);
  const imported = podman(['import', '--quiet', tar, 'busybox']);
  if (imported.code !== 0) throw new Error(`podman import failed: ${imported.stderr}`);
}, 120_000);
afterAll(async () => {
  podman(['rm', '--all', '--force', '--time', '0']);
  unmountUnder(podmanDir);
  rmSync(podmanDir, { recursive: true, force: true });
  await box?.dispose();
});

const CASES: { args: string[]; input?: string; compareOutput?: boolean }[] = [
  { args: ['run', '--rm', 'busybox', 'true'] },
  { args: ['run', '--rm', 'busybox', 'echo', 'hi there'], compareOutput: true },
  { args: ['run', '--rm', 'busybox', 'sh', '-c', 'exit 7'] },
  { args: ['run', '--rm', 'busybox', '/nonexistent'] },
  { args: ['run', '--rm', 'busybox', '/etc/passwd'] },
  { args: ['run', '--rm', '-e', 'A=b', 'busybox', 'sh', '-c', 'echo $A'], compareOutput: true },
  { args: ['run', '--rm', '-w', '/tmp', 'busybox', 'pwd'], compareOutput: true },
  { args: ['run', '--rm', '-u', 'nobody', 'busybox', 'id'], compareOutput: true },
  { args: ['run', '--rm', '-i', 'busybox', 'cat'], input: 'piped\n', compareOutput: true },
  { args: ['run', '--rm', '--entrypoint', '/bin/echo', 'busybox', 'a', 'b'], compareOutput: true },
  { args: ['rm', 'nosuch'] },
  { args: ['stop', 'nosuch'] },
  { args: ['kill', 'nosuch'] },
  { args: ['start', 'nosuch'] },
  { args: ['logs', 'nosuch'] },
  { args: ['exec', 'nosuch', 'true'] },
  { args: ['wait', 'nosuch'] },
  { args: ['inspect', 'nosuch'], compareOutput: true },
  { args: ['container', 'exists', 'nosuch'] },
  { args: ['rmi', 'nosuchimage'] },
  { args: ['ps', '-a', '--format', '{{.Names}}'], compareOutput: true },
  { args: ['images', '--format', '{{.Repository}}:{{.Tag}}'], compareOutput: true },
  { args: ['ps'], compareOutput: true },
  { args: ['run', '--rm', '--bogus-flag', 'busybox', 'true'] },
];

describe('podman compatibility table', () => {
  for (const c of CASES) {
    it(`corral ${c.args.join(' ')}`, async () => {
      const expected = podman(c.args, c.input);
      const actual = await box.run(c.args, c.input !== undefined ? { input: c.input } : {});
      // A run whose output is compared must have worked on podman: two identical
      // failures would otherwise compare as equal.
      if (c.compareOutput && c.args[0] === 'run') expect({ podman: expected.code, stderr: expected.stderr }).toEqual({ podman: 0, stderr: '' });
      expect({ code: actual.code }).toEqual({ code: expected.code });
      if (c.compareOutput) expect(shape(actual.stdout)).toBe(shape(expected.stdout));
      if (expected.stderr.startsWith('Error:')) expect(actual.stderr).toMatch(/^Error: /);
    });
  }
});
