import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerStatus as S, isActive } from '../status.js';
import { ConflictError, ErrorCode, describeError } from '../errors.js';
import { emitContainerEvent } from './events.js';
import { saveState, type ContainerHandle } from './handle.js';
import { releaseResources } from './resources.js';
import { stopLocked } from './stop.js';

export interface RemoveOptions {
  /** Stop a running container first; finish a removal that failed half-way. */
  force?: boolean;
  /** Seconds to wait for the stop signal before SIGKILL, when stopping. */
  timeout?: number;
}

/**
 * Removes a container with the lock held: stops it (force), releases its runtime
 * resources, deletes its root filesystem and files, keeps its exit code, then deletes
 * its record. The state says Removing meanwhile, so an interrupted removal is finished
 * by the next forced one.
 */
export async function removeLocked(h: ContainerHandle, options: RemoveOptions): Promise<void> {
  const { services: sv, config } = h;
  const dependents = await sv.store.containers.dependents(config.id);
  if (dependents.length > 0) {
    throw new ConflictError(
      ErrorCode.DependencyInUse,
      `container ${config.name} has dependent containers which must be removed before it: ${dependents.map((d) => d.slice(0, 12)).join(', ')}`,
      { details: { id: config.id, dependents } },
    );
  }
  if (isActive(h.state.status)) await stopLocked(h, options.timeout);
  if (h.state.status !== S.Removing) {
    h.state.status = S.Removing;
    await saveState(h);
  }
  await releaseResources(h).catch((err) => {
    if (!options.force) throw err;
    h.logger.warn({ err }, 'forced removal goes on after a failed cleanup');
  });
  // releaseResources saved Exited; the record says Removing until it is gone.
  h.state.status = S.Removing;
  await sv.rootfs.remove(config.id);
  // A few files (the log, artifacts): synchronous, as a thread-pool hop per entry costs more.
  rmSync(join(sv.engineDir, 'containers', config.id), { recursive: true, force: true });
  if (h.state.exitCode !== null) await sv.store.exitCodes.record(config.id, h.state.exitCode);
  await sv.store.containers.remove(config.id);
  // Under the lock: the manager unlinks the file when this process lets go.
  await sv.locks.remove(config.id);
  await emitContainerEvent(sv, config, 'remove');
  h.logger.debug({ error: h.state.error ? describeError(h.state.error) : undefined }, 'container removed');
}
