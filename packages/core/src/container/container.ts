import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ContainerStatus as S } from '../status.js';
import { ContainerStateError, ErrorCode, hasCode } from '../errors.js';
import { parseSignal } from '../signals.js';
import type { ContainerConfig } from '../types/container-config.js';
import type { ContainerState } from '../types/container-state.js';
import type { ExecConfig, ExecSession } from '../types/exec.js';
import type { AttachEnd, AttachOptions, AttachStreams, TerminalSize } from '../types/streams.js';
import type { EngineServices } from './services.js';
import { containerLogPath, shortId, saveState, type ContainerHandle } from './handle.js';
import { runOperation, withLock, type OperationScope } from './operation.js';
import { syncState } from './sync.js';
import { emitContainerEvent } from './events.js';
import { checkDependencies, initLocked, killLocked, pauseLocked, startLocked, unpauseLocked } from './lifecycle.js';
import { stopContainer, stopLocked } from './stop.js';
import { finishExit } from './cleanup.js';
import { removeLocked, type RemoveOptions } from './remove.js';
import * as exec from './exec.js';
import { addArtifact, getArtifact, removeArtifact } from './artifacts.js';
import { waitForCondition, waitForExit, type WaitResult } from './wait.js';
import { checkpointLocked, restoreLocked, type CheckpointOptions, type RestoreOptions } from './checkpoint.js';
import { resetAfterReboot } from './refresh.js';
import { dependencyOrder } from './dependencies.js';
import { streamPromises } from '../lazy-builtin.js';

/** Finds containers by id, for operations that reach other containers (dependencies). */
export interface ContainerDirectory {
  get(id: string): Promise<Container>;
}

/**
 * One container and every operation on it: libpod's container API. Each operation
 * takes the container's lock, syncs, checks the transition table, acts through the
 * engine's contracts, saves and emits its event (see operation.ts).
 */
export class Container {
  private readonly h: ContainerHandle;

  constructor(
    config: ContainerConfig,
    state: ContainerState,
    services: EngineServices,
    private readonly directory: ContainerDirectory,
    private readonly scope: OperationScope = { lockHeld: false },
  ) {
    this.h = { config, state, services, logger: services.logger.child({ container: shortId(config.id) }) };
  }

  get id(): string {
    return this.h.config.id;
  }
  get name(): string {
    return this.h.config.name;
  }
  /** The fixed configuration (a copy). */
  get config(): ContainerConfig {
    return structuredClone(this.h.config);
  }
  /** The state as last loaded; `sync()` refreshes it. */
  get cachedState(): ContainerState {
    return structuredClone(this.h.state);
  }

  /** Reloads the state and asks the runtime what became of the process. */
  /** The container's log file (k8s-file format); empty when logging is off. */
  logPath(): string {
    return containerLogPath(this.h);
  }

  async sync(): Promise<ContainerState> {
    await runOperation(this.h, this.scope, 'sync', async () => undefined);
    return this.cachedState;
  }

  async init(): Promise<void> {
    await runOperation(this.h, this.scope, 'init', () => initLocked(this.h));
  }

  /** Starts the container; `recursive` starts its dependencies first, in graph order. */
  async start(options: { recursive?: boolean } = {}): Promise<void> {
    if (options.recursive) await this.startDependencies();
    await runOperation(this.h, this.scope, 'start', () => startLocked(this.h));
  }

  /**
   * Starts the container with streams attached before the process runs, so no output
   * is lost. Resolves once it runs; `attached` resolves when the attach ends.
   */
  async startAndAttach(
    streams: AttachStreams,
    options: AttachOptions & { recursive?: boolean } = {},
  ): Promise<{ attached: Promise<AttachEnd> }> {
    if (options.recursive) await this.startDependencies();
    return runOperation(this.h, this.scope, 'start', async () => {
      await checkDependencies(this.h);
      if (this.h.state.status !== S.Created) await initLocked(this.h);
      let ready!: () => void;
      const isReady = new Promise<void>((r) => (ready = r));
      const attached = this.h.services.runtime.attach(this.id, streams, {
        ...options,
        onReady: () => {
          options.onReady?.();
          ready();
        },
      });
      // An attach that fails before it is ready must not leave us waiting forever.
      await Promise.race([isReady, attached.then(() => undefined)]);
      // The process reads its terminal size as it starts: set it first.
      if (options.size && this.h.config.terminal) await this.h.services.runtime.resize(this.id, options.size);
      await startLocked(this.h);
      await emitContainerEvent(this.h.services, this.h.config, 'attach');
      return { attached };
    });
  }

  /** Stops (if running) and starts again. */
  async restart(timeoutSec?: number): Promise<void> {
    await runOperation(this.h, this.scope, 'restart', async () => {
      if (this.h.state.status === S.Running) {
        await stopLocked(this.h, timeoutSec);
      }
      if (this.h.state.status === S.Stopped) await finishExit(this.h, { userStop: true });
      await startLocked(this.h);
      await emitContainerEvent(this.h.services, this.h.config, 'restart');
    });
  }

  /** Stop signal, then SIGKILL after the timeout (the config's stop timeout by default). */
  async stop(timeoutSec?: number): Promise<void> {
    await stopContainer(this.h, this.scope, timeoutSec);
  }

  async kill(signal: number | string = 'SIGKILL'): Promise<void> {
    const number = parseSignal(signal);
    await runOperation(this.h, this.scope, 'kill', () => killLocked(this.h, number));
  }

  async pause(): Promise<void> {
    await runOperation(this.h, this.scope, 'pause', () => pauseLocked(this.h));
  }

  async unpause(): Promise<void> {
    await runOperation(this.h, this.scope, 'unpause', () => unpauseLocked(this.h));
  }

  /** Attaches to a running container until it exits or the user detaches. */
  async attach(streams: AttachStreams, options: AttachOptions = {}): Promise<AttachEnd> {
    await runOperation(this.h, this.scope, 'attach', () => emitContainerEvent(this.h.services, this.h.config, 'attach'));
    return this.h.services.runtime.attach(this.id, streams, options);
  }

  /**
   * The entry the HTTP API uses: which streams to attach and whether to replay the log
   * first (the Docker API's `logs=1`). The caller frames the bytes.
   */
  async httpAttach(streams: AttachStreams, options: AttachOptions & { stream?: boolean } = {}): Promise<AttachEnd> {
    if (options.stream === false) {
      // Logs only: nothing live is attached.
      return this.h.services.runtime.attach(this.id, streams, { ...options, logs: true, detachKeys: '' });
    }
    return this.attach(streams, options);
  }

  async attachResize(size: TerminalSize): Promise<void> {
    checkSize(size);
    await runOperation(this.h, this.scope, 'resize', () => this.h.services.runtime.resize(this.id, size));
  }

  async mount(): Promise<string> {
    return runOperation(this.h, this.scope, 'mount', async () => {
      const path = await this.h.services.rootfs.mount(this.id);
      this.h.state.mountPoint = path;
      this.h.state.mountCount += 1;
      await saveState(this.h);
      await emitContainerEvent(this.h.services, this.h.config, 'mount');
      return path;
    });
  }

  /**
   * Drops one mount reference; `force` unmounts whatever holds it. As in libpod, a
   * running container's own mount cannot be taken away, but a user's extra mount can.
   */
  async unmount(force = false): Promise<void> {
    await runOperation(
      this.h,
      this.scope,
      'unmount',
      async () => {
        // Unmounting what is not mounted succeeds, as with podman.
        if (this.h.state.mountCount === 0 && !force) return;
        const gone = await this.h.services.rootfs.unmount(this.id, force);
        this.h.state.mountCount = gone ? 0 : Math.max(0, this.h.state.mountCount - 1);
        if (gone) this.h.state.mountPoint = '';
        await saveState(this.h);
        await emitContainerEvent(this.h.services, this.h.config, 'unmount');
      },
      { force: (h) => force || h.state.mountCount > 1 },
    );
  }

  /** Writes the root filesystem as a tar stream. */
  async export(out: Writable): Promise<void> {
    await runOperation(this.h, this.scope, 'export', async () => {
      const tar = await this.h.services.rootfs.export(this.id);
      await streamPromises().pipeline(tar, out);
    });
  }

  /** Writes the root filesystem as a tar file; a partial file is removed on failure. */
  async exportToPath(path: string): Promise<void> {
    try {
      await this.export(createWriteStream(path, { mode: 0o600 }));
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
  }

  async addArtifact(name: string, data: Uint8Array | string): Promise<void> {
    await withLock(this.h, this.scope, () => addArtifact(this.h, name, data));
  }
  async getArtifact(name: string): Promise<Buffer> {
    return withLock(this.h, this.scope, () => getArtifact(this.h, name));
  }
  async removeArtifact(name: string): Promise<void> {
    await withLock(this.h, this.scope, () => removeArtifact(this.h, name));
  }

  /** Waits for the process to exit; its exit code (also after removal). */
  async wait(signal?: AbortSignal): Promise<number> {
    return this.h.services.tracer.startActiveSpan('container.wait', async (span) => {
      try {
        return await waitForExit(this.h, this.scope, signal);
      } finally {
        span.end();
      }
    });
  }

  async waitForCondition(conditions: readonly S[], options: { signal?: AbortSignal; intervalMs?: number } = {}): Promise<WaitResult> {
    return waitForCondition(this.h, this.scope, conditions, options);
  }

  /**
   * What the exit command runs: release the runtime's resources of an exited
   * container, then remove it (--rm) or restart it (restart policy).
   */
  async cleanup(): Promise<void> {
    await runOperation(this.h, this.scope, 'cleanup', async () => {
      if (this.h.state.status === S.Configured) return;
      // An exited --rm container is one whose removal failed before: finish it.
      if (this.h.state.status === S.Exited && !this.h.config.autoRemove) return;
      await finishExit(this.h);
    });
  }

  /** Runs `fn` with the lock taken once; operations on the given container do not relock. */
  async batch<T>(fn: (container: Container) => Promise<T>): Promise<T> {
    if (this.scope.lockHeld) return fn(this);
    const locker = this.h.services.locks.locker(this.id);
    await locker.lock();
    try {
      await syncState(this.h);
      const batched = new Container(this.h.config, this.h.state, this.h.services, this.directory, { lockHeld: true });
      const result = await fn(batched);
      this.h.state = batched.cachedState;
      return result;
    } finally {
      await locker.unlock();
    }
  }

  /** After a reboot: forget processes, mounts and namespaces that no longer exist. */
  async refresh(): Promise<void> {
    await withLock(this.h, this.scope, async () => {
      this.h.state = await this.h.services.store.containers.getState(this.id);
      await resetAfterReboot(this.h);
    });
  }

  async checkpoint(options: CheckpointOptions = {}): Promise<void> {
    await runOperation(this.h, this.scope, 'checkpoint', () => checkpointLocked(this.h, options));
  }

  async restore(options: RestoreOptions = {}): Promise<void> {
    await runOperation(this.h, this.scope, 'restore', () => restoreLocked(this.h, options));
  }

  /** Removes the container; `force` stops it first. */
  async remove(options: RemoveOptions = {}): Promise<void> {
    await runOperation(this.h, this.scope, 'remove', () => removeLocked(this.h, options), { force: options.force ?? false });
  }

  // --- exec sessions ---

  /** Runs a command and returns its exit code: 126 cannot invoke, 127 not found. */
  async exec(config: Partial<ExecConfig> & { command: string[] }, streams: AttachStreams): Promise<number> {
    const sessionId = await this.execCreate(config);
    try {
      return await this.execStartAndAttach(sessionId, streams);
    } finally {
      await this.execRemove(sessionId, true).catch((err) => this.h.logger.warn({ err }, 'exec session cleanup failed'));
    }
  }

  async execCreate(config: Partial<ExecConfig> & { command: string[] }): Promise<string> {
    const full = exec.newExecConfig(config);
    return runOperation(this.h, this.scope, 'exec', () => exec.execCreateLocked(this.h, full));
  }

  /** Starts a session detached. */
  async execStart(sessionId: string): Promise<void> {
    await runOperation(this.h, this.scope, 'exec', () => exec.execStartLocked(this.h, sessionId, null));
  }

  /** Starts a session attached; resolves with its exit code, recorded before this returns. */
  async execStartAndAttach(sessionId: string, streams: AttachStreams): Promise<number> {
    const started = await runOperation(this.h, this.scope, 'exec', () => exec.execStartLocked(this.h, sessionId, streams));
    if (started.session.status === 'stopped') return started.session.exitCode ?? 0;
    const exitCode = await started.exited!;
    try {
      await withLock(this.h, this.scope, () => exec.recordExecExit(this.h, sessionId, exitCode));
    } catch (err) {
      // The container went away while the session ran; the exit code still stands.
      if (!hasCode(err, ErrorCode.NoSuchExecSession) && !hasCode(err, ErrorCode.CtrRemoved)) throw err;
    }
    return exitCode;
  }

  async execInspect(sessionId: string): Promise<ExecSession> {
    return withLock(this.h, this.scope, () => exec.inspectSession(this.h, sessionId));
  }

  async execStop(sessionId: string, timeoutSec = 10): Promise<void> {
    await withLock(this.h, this.scope, () => exec.execStopLocked(this.h, sessionId, timeoutSec));
  }

  async execRemove(sessionId: string, force = false): Promise<void> {
    await withLock(this.h, this.scope, () => exec.execRemoveLocked(this.h, sessionId, force));
  }

  async execResize(sessionId: string, size: TerminalSize): Promise<void> {
    checkSize(size);
    await exec.execResize(this.h, sessionId, size);
  }

  async execSessions(): Promise<ExecSession[]> {
    return this.h.services.store.execSessions.listFor(this.id);
  }

  private async startDependencies(): Promise<void> {
    const order = await dependencyOrder(this.h.services.store.containers, this.id);
    for (const id of order) {
      if (id === this.id) continue;
      const dep = await this.directory.get(id);
      const state = await dep.sync();
      if (state.status !== S.Running) await dep.start();
    }
  }
}

function checkSize(size: TerminalSize): void {
  const ok = (n: number) => Number.isInteger(n) && n >= 0 && n <= 0xffff;
  if (!ok(size.width) || !ok(size.height)) {
    throw new ContainerStateError(ErrorCode.InvalidArg, `invalid terminal size ${size.width}x${size.height}`);
  }
}
