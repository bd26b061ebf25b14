import { ContainerStatus as S } from '../status.js';
import { ErrorCode, NotFoundError, hasCode, ContainerStateError } from '../errors.js';
import { emitContainerEvent } from './events.js';
import { saveState, type ContainerHandle } from './handle.js';

const RUNTIME_KNOWS: ReadonlySet<S> = new Set([S.Created, S.Running, S.Paused, S.Stopping]);

/** States in which the runtime may know something newer than the store (an exit). */
export function runtimeMayKnowMore(status: S): boolean {
  return RUNTIME_KNOWS.has(status);
}

/**
 * Reloads the state from the store and, while the runtime knows the container, asks
 * the runtime what became of it (the exit file tells the exit code). Records a death
 * once, with its "died" event.
 */
export async function syncState(h: ContainerHandle): Promise<void> {
  try {
    h.state = await h.services.store.containers.getState(h.config.id);
  } catch (err) {
    if (hasCode(err, ErrorCode.NoSuchCtr)) {
      // Callers hold the lock. Having waited on a removal (a late exit command, a wait),
      // they opened the lock file again: drop it, the manager unlinks it at unlock.
      await h.services.locks.remove(h.config.id).catch((e) => h.logger.warn({ err: e }, 'dropping the lock file of a removed container failed'));
      throw new ContainerStateError(ErrorCode.CtrRemoved, `container ${h.config.name} (${h.config.id.slice(0, 12)}) has been removed`, {
        cause: err,
        details: { id: h.config.id },
      });
    }
    throw err;
  }
  if (!runtimeMayKnowMore(h.state.status)) return;

  const rs = await h.services.runtime.state(h.config.id);
  const before = h.state.status;
  switch (rs.status) {
    case 'running':
      if (before !== S.Stopping) h.state.status = S.Running;
      h.state.pid = rs.pid || h.state.pid;
      break;
    case 'paused':
      h.state.status = S.Paused;
      break;
    case 'created':
      h.state.status = S.Created;
      break;
    case 'stopped':
    case 'unknown':
      h.state.status = S.Stopped;
      h.state.pid = 0;
      h.state.exitCode = rs.exitCode ?? h.state.exitCode ?? -1;
      h.state.finishedAt = rs.exitedAt ?? new Date().toISOString();
      h.state.oomKilled = rs.oomKilled ?? false;
      if (rs.error) h.state.error = rs.error;
      else if (rs.status === 'unknown') h.state.error = 'the OCI runtime no longer knows the container';
      break;
  }
  if (before === h.state.status) return;
  await saveState(h);
  if (h.state.status === S.Stopped && before !== S.Created) {
    await emitContainerEvent(h.services, h.config, 'died', {
      exitCode: h.state.exitCode ?? -1,
      ...(h.state.error ? { error: h.state.error } : {}),
    });
  }
}

/** The container id for messages and NO_SUCH_CTR errors from a lookup. */
export function noSuchContainer(idOrName: string, cause?: unknown): NotFoundError {
  return new NotFoundError(ErrorCode.NoSuchCtr, `no container with name or ID "${idOrName}" found: no such container`, {
    details: { container: idOrName },
    ...(cause ? { cause } : {}),
  });
}
