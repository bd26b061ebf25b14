import { ContainerStatus as S } from '../status.js';
import { ContainerStateError, ErrorCode } from '../errors.js';
import { signalName } from '../signals.js';
import { emitContainerEvent } from './events.js';
import { saveState, type ContainerHandle } from './handle.js';
import { initResources, releaseResources } from './resources.js';

/** Init with the lock held and the state synced: Configured/Stopped/Exited -> Created. */
export async function initLocked(h: ContainerHandle): Promise<void> {
  if (h.state.status === S.Stopped) await releaseResources(h);
  await initResources(h);
  h.state.status = S.Created;
  await saveState(h);
  await emitContainerEvent(h.services, h.config, 'init');
}

/** Start with the lock held and the state synced; initialises first when needed. */
export async function startLocked(h: ContainerHandle): Promise<void> {
  await checkDependencies(h);
  if (h.state.status !== S.Created) await initLocked(h);
  try {
    await h.services.runtime.start(h.config.id);
  } catch (err) {
    // The runtime container cannot run: take it down so a later start begins afresh.
    h.state.error = String((err as Error).message ?? err);
    await releaseResources(h).catch((e) => h.logger.warn({ err: e }, 'cleanup after a failed start failed'));
    throw err;
  }
  h.state.status = S.Running;
  h.state.startedAt = new Date().toISOString();
  h.state.finishedAt = null;
  h.state.exitCode = null;
  h.state.stoppedByUser = false;
  h.state.checkpointed = false;
  await saveState(h);
  await emitContainerEvent(h.services, h.config, 'start');
}

/** Every dependency must be running (a recursive start has started them already). */
export async function checkDependencies(h: ContainerHandle): Promise<void> {
  for (const dep of h.config.dependencies) {
    let status: S;
    let name = dep;
    try {
      status = (await h.services.store.containers.getState(dep)).status;
      name = (await h.services.store.containers.getConfig(dep)).name;
    } catch (err) {
      throw new ContainerStateError(
        ErrorCode.DependencyNotRunning,
        `container ${h.config.name} depends on container ${dep.slice(0, 12)}, which no longer exists`,
        { cause: err },
      );
    }
    if (status !== S.Running) {
      throw new ContainerStateError(
        ErrorCode.DependencyNotRunning,
        `container ${h.config.name} depends on container ${name}, which is not running (state ${status})`,
        { details: { id: h.config.id, dependency: dep, state: status } },
      );
    }
  }
}

export async function killLocked(h: ContainerHandle, signal: number): Promise<void> {
  await h.services.runtime.kill(h.config.id, signal);
  h.state.stoppedByUser = true;
  await saveState(h);
  await emitContainerEvent(h.services, h.config, 'kill', { attributes: { signal: signalName(signal) } });
}

export async function pauseLocked(h: ContainerHandle): Promise<void> {
  await h.services.runtime.pause(h.config.id);
  h.state.status = S.Paused;
  await saveState(h);
  await emitContainerEvent(h.services, h.config, 'pause');
}

export async function unpauseLocked(h: ContainerHandle): Promise<void> {
  await h.services.runtime.resume(h.config.id);
  h.state.status = S.Running;
  await saveState(h);
  await emitContainerEvent(h.services, h.config, 'unpause');
}
