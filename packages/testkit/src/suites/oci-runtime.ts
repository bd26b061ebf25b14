import { sampleConfig } from '../samples.js';
import { newExecConfig } from '@corral/core';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  emptyImageConfig,
  parseSignal,
  type ContainerConfig,
  type ExecConfig,
  type OciRuntime,
  type RuntimeCreateRequest,
} from '@corral/core';

/**
 * Processes are scripted in the fake runtime's words, which a real runtime's factory
 * translates into real command lines:
 * - container: `['exit', 'N']` exits with N; `['echo', ...]` prints and exits 0;
 *   `['ignore-term']` ignores SIGTERM; `['sleep']` runs until a terminating signal
 *   (exit code 128+N).
 * - exec: `['exit', 'N']`, `['echo', ...]`, `['notfound']` (no such command, 127) and
 *   `['noexec']` (exists but cannot be invoked, 126).
 */
export interface OciRuntimeHarness {
  runtime: OciRuntime;
  /** A request for a new container (a fresh id) with these config fields. */
  makeRequest(overrides?: Partial<ContainerConfig>): RuntimeCreateRequest;
  /** Turns an exec script into the command the runtime runs; identity when absent. */
  execCommand?(script: string[]): string[];
  /** Removes whatever the factory made (the tests delete their containers first). */
  cleanup(): Promise<void>;
}

export type OciRuntimeFactory = () => OciRuntimeHarness | Promise<OciRuntimeHarness>;

export function randomContainerId(): string {
  return randomBytes(32).toString('hex');
}

/** A complete container config for runtime tests; overrides replace fields. */
export function runtimeTestConfig(overrides: Partial<ContainerConfig> = {}): ContainerConfig {
  const id = overrides.id ?? randomContainerId();
  // An empty runtime means the plugin's default one.
  return sampleConfig({ id, name: `rt-${id.slice(0, 12)}`, entrypoint: [], command: ['sleep'], hostname: '', labels: {}, runtime: '', ...overrides });
}

/** A request around a config, for factories: rootfs and image config as given. */
export function runtimeTestRequest(config: ContainerConfig, rootfs: string): RuntimeCreateRequest {
  return { config, image: emptyImageConfig(), rootfs, netnsPath: '', etcFiles: {}, logPath: '' };
}

export function execTestConfig(command: string[], overrides: Partial<ExecConfig> = {}): ExecConfig {
  return newExecConfig({ command, ...overrides });
}

const EXIT_WAIT = { timeoutMs: 20_000 };

/** Behaviour every OciRuntime has, the fake's and the real ones. */
export function describeOciRuntimeContract(name: string, factory: OciRuntimeFactory): void {
  describe(`OciRuntime contract: ${name}`, () => {
    let h: OciRuntimeHarness;
    let rt: OciRuntime;
    let ids: string[];

    beforeEach(async () => {
      h = await factory();
      rt = h.runtime;
      ids = [];
    });

    afterEach(async () => {
      for (const id of ids) await rt.delete(id, true).catch(() => {});
      await h.cleanup();
    });

    async function create(overrides: Partial<ContainerConfig> = {}): Promise<string> {
      const req = h.makeRequest(overrides);
      ids.push(req.config.id);
      await rt.create(req);
      return req.config.id;
    }

    async function running(overrides: Partial<ContainerConfig> = {}): Promise<string> {
      const id = await create(overrides);
      await rt.start(id);
      return id;
    }

    const execCmd = (script: string[]) => (h.execCommand ? h.execCommand(script) : script);

    async function eventually<T>(probe: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    it('create leaves the process waiting; start runs it', async () => {
      const req = h.makeRequest({ command: ['sleep'] });
      ids.push(req.config.id);
      const created = await rt.create(req);
      expect(created.pid).toBeGreaterThan(0);
      expect(created.conmonPid).toBeGreaterThan(0);
      expect((await rt.state(req.config.id)).status).toBe('created');
      await rt.start(req.config.id);
      const st = await rt.state(req.config.id);
      expect(st.status).toBe('running');
      expect(st.pid).toBeGreaterThan(0);
    });

    it('records the exit code of a process that exits by itself', async () => {
      for (const code of [0, 3]) {
        const id = await running({ command: ['exit', String(code)] });
        expect(await rt.waitExit(id, EXIT_WAIT)).toBe('exited');
        const st = await rt.state(id);
        expect(st).toMatchObject({ status: 'stopped', exitCode: code });
        expect(typeof st.exitedAt).toBe('string');
        expect(Number.isNaN(Date.parse(st.exitedAt!))).toBe(false);
      }
    });

    it('waitExit times out while the process runs, and when aborted', async () => {
      const id = await running();
      expect(await rt.waitExit(id, { timeoutMs: 200 })).toBe('timeout');
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      expect(await rt.waitExit(id, { signal: ac.signal })).toBe('timeout');
      expect((await rt.state(id)).status).toBe('running');
    });

    it('SIGKILL ends a process with exit code 137', async () => {
      const id = await running();
      await rt.kill(id, 9);
      expect(await rt.waitExit(id, EXIT_WAIT)).toBe('exited');
      expect(await rt.state(id)).toMatchObject({ status: 'stopped', exitCode: 137 });
    });

    it('a signal given by name (parsed at the edge) reaches the process', async () => {
      const id = await running();
      await rt.kill(id, parseSignal('SIGTERM'));
      expect(await rt.waitExit(id, EXIT_WAIT)).toBe('exited');
      expect((await rt.state(id)).exitCode).toBe(143);
    });

    it('stop with a timeout: SIGTERM ignored, SIGKILL after the wait', async () => {
      const id = await running({ command: ['ignore-term'] });
      await rt.kill(id, 15);
      expect(await rt.waitExit(id, { timeoutMs: 700 })).toBe('timeout');
      expect((await rt.state(id)).status).toBe('running');
      await rt.kill(id, 9);
      expect(await rt.waitExit(id, EXIT_WAIT)).toBe('exited');
      expect((await rt.state(id)).exitCode).toBe(137);
    });

    it('pause and resume', async () => {
      const id = await running();
      await rt.pause(id);
      expect((await rt.state(id)).status).toBe('paused');
      await rt.resume(id);
      expect((await rt.state(id)).status).toBe('running');
    });

    it('kill of a process that has exited is a runtime error', async () => {
      const id = await running({ command: ['exit', '0'] });
      await rt.waitExit(id, EXIT_WAIT);
      await expect(rt.kill(id, 15)).rejects.toMatchObject({ code: ErrorCode.RuntimeError });
    });

    it('delete is idempotent; the runtime forgets the container', async () => {
      const id = await running({ command: ['exit', '0'] });
      await rt.waitExit(id, EXIT_WAIT);
      await rt.delete(id, false);
      await rt.delete(id, false);
      await rt.delete(id, true);
      expect((await rt.state(id)).status).toBe('unknown');
      expect(await rt.waitExit(id, { timeoutMs: 1000 })).toBe('exited');
    });

    it('delete of a running process needs force', async () => {
      const id = await running();
      await expect(rt.delete(id, false)).rejects.toMatchObject({ code: ErrorCode.RuntimeError });
      expect((await rt.state(id)).status).toBe('running');
      await rt.delete(id, true);
      expect((await rt.state(id)).status).toBe('unknown');
    });

    it('create refuses an id it already has', async () => {
      const req = h.makeRequest();
      ids.push(req.config.id);
      await rt.create(req);
      await expect(rt.create(req)).rejects.toMatchObject({ code: ErrorCode.RuntimeError });
      expect((await rt.state(req.config.id)).status).toBe('created');
    });

    it('attached exec resolves with the exit code; output reaches stdout', async () => {
      const id = await running();
      for (const code of [0, 3]) {
        const started = await rt.exec(id, randomContainerId(), execTestConfig(execCmd(['exit', String(code)])), { stdout: new PassThrough() });
        expect(started.pid).toBeGreaterThan(0);
        expect(await started.exited).toBe(code);
      }
      const stdout = new PassThrough();
      let out = '';
      stdout.on('data', (d: Buffer) => (out += d.toString()));
      const echoed = await rt.exec(id, randomContainerId(), execTestConfig(execCmd(['echo', 'hello', 'exec'])), { stdout });
      expect(await echoed.exited).toBe(0);
      expect(out).toContain('hello exec');
    });

    it('detached exec: the exit code is there once it ends; cleanup is idempotent', async () => {
      const id = await running();
      const session = randomContainerId();
      const started = await rt.exec(id, session, execTestConfig(execCmd(['exit', '3'])), null);
      expect(started.pid).toBeGreaterThan(0);
      expect(started.exited).toBeUndefined();
      expect(await eventually(() => rt.execExitCode(id, session), 'the exec exit code')).toBe(3);
      await rt.execCleanup(id, session);
      await rt.execCleanup(id, session);
    });

    it('exec of a missing command is EXEC_NOT_FOUND (127), of a non-executable EXEC_CANNOT_INVOKE (126)', async () => {
      const id = await running();
      for (const streams of [null, { stdout: new PassThrough(), stderr: new PassThrough() }]) {
        await expect(rt.exec(id, randomContainerId(), execTestConfig(execCmd(['notfound'])), streams)).rejects.toMatchObject({
          code: ErrorCode.ExecNotFound,
        });
        await expect(rt.exec(id, randomContainerId(), execTestConfig(execCmd(['noexec'])), streams)).rejects.toMatchObject({
          code: ErrorCode.ExecCannotInvoke,
        });
      }
    });

    it('state of an id the runtime never saw is unknown', async () => {
      expect((await rt.state(randomContainerId())).status).toBe('unknown');
    });
  });
}
