import { ContainerStatus as S } from '../status.js';
import type { RestartPolicy } from '../types/container-config.js';
import { emitContainerEvent } from './events.js';
import type { ContainerHandle } from './handle.js';
import { releaseResources } from './resources.js';
import { startLocked } from './lifecycle.js';
import { removeLocked } from './remove.js';

/**
 * Whether a restart policy restarts a container after this exit. A stop or kill by
 * the user never does; on-failure skips exit 0 and honours its retry count.
 */
export function shouldRestart(policy: RestartPolicy, exitCode: number, restartCount: number, stoppedByUser: boolean): boolean {
  if (stoppedByUser) return false;
  switch (policy.name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0 && (policy.maxRetries <= 0 || restartCount < policy.maxRetries);
    default:
      return false;
  }
}

/**
 * After the process has exited (state Stopped, lock held): release the runtime's
 * resources, then remove a --rm container or restart one whose policy says so.
 */
export async function finishExit(h: ContainerHandle, options: { userStop?: boolean } = {}): Promise<void> {
  if (h.state.status !== S.Exited && h.state.status !== S.Configured) await releaseResources(h);
  const restart =
    !options.userStop &&
    !h.config.autoRemove &&
    shouldRestart(h.config.restartPolicy, h.state.exitCode ?? 0, h.state.restartCount, h.state.stoppedByUser);
  if (h.config.autoRemove) {
    await removeLocked(h, { force: false });
  } else if (restart) {
    h.state.restartCount += 1;
    h.logger.info({ policy: h.config.restartPolicy.name, count: h.state.restartCount }, 'restarting by policy');
    await startLocked(h);
    await emitContainerEvent(h.services, h.config, 'restart');
  }
}
