import { ContainerStatus as S, isActive } from '../status.js';
import { CancelledError, ErrorCode, hasCode } from '../errors.js';
import type { ContainerHandle } from './handle.js';
import { withLock, type OperationScope } from './operation.js';
import { noSuchContainer, syncState } from './sync.js';

export interface WaitResult {
  status: S;
  /** The exit code when the container has exited; null otherwise. */
  exitCode: number | null;
}

/**
 * Waits until the container is no longer running and returns its exit code. No
 * polling: the runtime wakes us when the exit file appears. A container removed in
 * the meantime answers from the exit codes kept after removal.
 */
export async function waitForExit(h: ContainerHandle, scope: OperationScope, signal?: AbortSignal): Promise<number> {
  for (;;) {
    const synced = await syncedOrRemoved(h, scope);
    if (synced === 'removed') return removedExitCode(h);
    if (!isActive(h.state.status) && h.state.status !== S.Created) return h.state.exitCode ?? 0;
    throwIfAborted(signal);
    await h.services.runtime.waitExit(h.config.id, signal ? { signal } : {});
    throwIfAborted(signal);
  }
}

/**
 * Waits until the container reaches one of `conditions`. Exits are awaited without
 * polling; other states (running, paused) are checked every `intervalMs`, as podman
 * does.
 */
export async function waitForCondition(
  h: ContainerHandle,
  scope: OperationScope,
  conditions: readonly S[],
  options: { signal?: AbortSignal; intervalMs?: number } = {},
): Promise<WaitResult> {
  const exitOnly = conditions.every((c) => c === S.Stopped || c === S.Exited);
  if (conditions.length === 0 || exitOnly) {
    const exitCode = await waitForExit(h, scope, options.signal);
    return { status: h.state.status, exitCode };
  }
  const interval = options.intervalMs ?? 250;
  for (;;) {
    if ((await syncedOrRemoved(h, scope)) === 'removed') {
      return { status: S.Exited, exitCode: await removedExitCode(h) };
    }
    if (conditions.includes(h.state.status)) return { status: h.state.status, exitCode: h.state.exitCode };
    throwIfAborted(options.signal);
    await sleep(interval, options.signal);
  }
}

async function syncedOrRemoved(h: ContainerHandle, scope: OperationScope): Promise<'ok' | 'removed'> {
  try {
    await withLock(h, scope, () => syncState(h));
    return 'ok';
  } catch (err) {
    if (hasCode(err, ErrorCode.CtrRemoved)) return 'removed';
    throw err;
  }
}

async function removedExitCode(h: ContainerHandle): Promise<number> {
  const code = await h.services.store.exitCodes.get(h.config.id);
  if (code === undefined) {
    throw noSuchContainer(h.config.id);
  }
  return code;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError('wait cancelled');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
