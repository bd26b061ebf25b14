import { ContainerStatus as S, isActive } from '../status.js';
import { ErrorCode, RuntimeError, hasCode } from '../errors.js';
import { emitContainerEvent } from './events.js';
import { saveState, type ContainerHandle } from './handle.js';
import { runOperation, withLock, type OperationScope } from './operation.js';
import { syncState } from './sync.js';
import { finishExit } from './cleanup.js';

/** How long to wait for a process to go after SIGKILL before calling it a runtime error. */
const KILL_GRACE_MS = 30_000;
const SIGKILL = 9;

/**
 * Stop: send the stop signal and save Stopping; release the lock while waiting (so
 * other operations, and the exit command's cleanup, can go on); SIGKILL after the
 * timeout; then clean up. Inside a Batch the lock stays held throughout.
 */
export async function stopContainer(h: ContainerHandle, scope: OperationScope, timeoutSec?: number): Promise<void> {
  const timeoutMs = Math.max(0, (timeoutSec ?? h.config.stopTimeout) * 1000);
  await runOperation(h, scope, 'stop', async () => {
    if (h.state.status === S.Stopping) return; // a stop is already under way: wait with it
    h.state.stoppedByUser = true;
    if (!(await sendStopSignal(h, timeoutMs === 0 ? SIGKILL : h.config.stopSignal))) return;
    h.state.status = S.Stopping;
    await saveState(h);
  });

  await waitOrKill(h, scope, timeoutMs);

  try {
    await withLock(h, scope, async () => {
      await syncState(h);
      if (h.state.status === S.Stopped) await finishExit(h, { userStop: true });
      await emitContainerEvent(h.services, h.config, 'stop');
    });
  } catch (err) {
    // The exit command's cleanup removed a --rm container while we waited: it is stopped.
    if (!hasCode(err, ErrorCode.CtrRemoved)) throw err;
  }
}

/** Stop with the lock already held (remove --force, restart): never releases it. */
export async function stopLocked(h: ContainerHandle, timeoutSec?: number): Promise<void> {
  const timeoutMs = Math.max(0, (timeoutSec ?? h.config.stopTimeout) * 1000);
  if (h.state.status !== S.Stopping) {
    h.state.stoppedByUser = true;
    if (await sendStopSignal(h, timeoutMs === 0 ? SIGKILL : h.config.stopSignal)) {
      h.state.status = S.Stopping;
      await saveState(h);
    }
  }
  await waitOrKill(h, { lockHeld: true }, timeoutMs);
  await syncState(h);
  await emitContainerEvent(h.services, h.config, 'stop');
}

/** False when the process had exited already (see signalUnlessExited). */
async function sendStopSignal(h: ContainerHandle, signal: number): Promise<boolean> {
  if (!(await signalUnlessExited(h, signal))) return false;
  // A frozen process cannot act on its signal: thaw it. SIGKILL may already have
  // ended it, and then there is nothing left to thaw.
  if (h.state.status === S.Paused) {
    await h.services.runtime.resume(h.config.id).catch((err) => h.logger.debug({ err }, 'resume after the stop signal failed'));
  }
  return true;
}

async function waitOrKill(h: ContainerHandle, scope: OperationScope, timeoutMs: number): Promise<void> {
  const rt = h.services.runtime;
  const id = h.config.id;
  if ((await rt.waitExit(id, { timeoutMs })) === 'exited') return;
  h.logger.info({ timeoutMs }, 'container did not stop in time, sending SIGKILL');
  await withLock(h, scope, async () => {
    await syncState(h);
    if (isActive(h.state.status)) await signalUnlessExited(h, SIGKILL);
  });
  if ((await rt.waitExit(id, { timeoutMs: KILL_GRACE_MS })) === 'timeout') {
    throw new RuntimeError(`container ${h.config.name} did not exit ${KILL_GRACE_MS / 1000}s after SIGKILL`);
  }
}

/**
 * Signals the container; false when the signal found it exited (between the caller's
 * sync and the signal), which is no error. Only a failure on a live one is.
 */
async function signalUnlessExited(h: ContainerHandle, signal: number): Promise<boolean> {
  try {
    await h.services.runtime.kill(h.config.id, signal);
    return true;
  } catch (err) {
    await syncState(h);
    if (isActive(h.state.status)) throw err;
    return false;
  }
}
