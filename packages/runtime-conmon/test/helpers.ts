import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { runtimeTestConfig, runtimeTestRequest } from '@corral/testkit/suites/oci-runtime';
import type { ContainerConfig, RuntimeCreateRequest } from '@corral/core';
import { ConmonRuntime, type ConmonRuntimeOptions } from '../src/index.js';

const ROOTFS_SCRIPT = resolve(import.meta.dirname, '../../../tools/images/busybox-rootfs.sh');

/** A busybox rootfs in a temp dir, made once per test file and shared read-only. */
export function makeRootfs(): { rootfs: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'corral-rt-rootfs-'));
  const rootfs = join(dir, 'rootfs');
  execFileSync('bash', [ROOTFS_SCRIPT, rootfs]);
  return { rootfs, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Signals the fake's `sleep` script ends on, with the exit code it reports (128+N). */
const TERMINATING = [1, 2, 3, 6, 10, 12, 13, 14, 15];

/**
 * The contract suite's scripts as busybox command lines. PID 1 ignores signals it has
 * no handler for, so `sleep` traps every terminating signal to exit as the fake does.
 */
export function scriptToCommand(script: string[]): string[] {
  const [cmd, ...args] = script;
  if (cmd === 'exit') return ['sh', '-c', `exit ${Number(args[0] ?? 0)}`];
  if (cmd === 'echo') return ['echo', ...args];
  if (cmd === 'ignore-term') return ['sh', '-c', 'trap "" TERM; while :; do sleep 1; done'];
  if (cmd === 'sleep') {
    const traps = TERMINATING.map((s) => `trap "exit ${128 + s}" ${s}`).join('; ');
    return ['sh', '-c', `${traps}; while :; do sleep 1 & wait $!; done`];
  }
  if (cmd === 'notfound') return ['no-such-command-here'];
  if (cmd === 'noexec') return ['/etc/passwd'];
  return script;
}

export interface RealHarness {
  runtime: ConmonRuntime;
  runDir: string;
  makeRequest(overrides?: Partial<ContainerConfig>): RuntimeCreateRequest;
  cleanup(): Promise<void>;
}

/** A ConmonRuntime with its own run directory; requests translate the suite's scripts. */
export function realHarness(rootfs: string, options: Partial<ConmonRuntimeOptions> = {}, runtimeName = ''): RealHarness {
  const runDir = mkdtempSync(join(tmpdir(), 'corral-rt-run-'));
  const runtime = new ConmonRuntime({ runDir, ...options });
  return {
    runtime,
    runDir,
    makeRequest(overrides = {}) {
      const config = runtimeTestConfig({ runtime: runtimeName, ...overrides });
      config.command = scriptToCommand([...config.entrypoint, ...config.command]);
      config.entrypoint = [];
      return runtimeTestRequest(config, rootfs);
    },
    async cleanup() {
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** A writable stream that keeps what it was given. */
export function collector(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  return { stream, text: () => out };
}

export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
