import { join } from 'node:path';
import type { Logger } from '../contracts/logger.js';
import type { ContainerConfig } from '../types/container-config.js';
import type { ContainerState } from '../types/container-state.js';
import type { EngineServices } from './services.js';

/**
 * What an operation works on: the container's fixed config, its state as last synced
 * (mutated by the operation, then saved), and the engine's services.
 */
export interface ContainerHandle {
  readonly config: ContainerConfig;
  state: ContainerState;
  readonly services: EngineServices;
  readonly logger: Logger;
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** The engine's own directory for a container: artifacts, checkpoints, its log. */
export function containerDir(h: Pick<ContainerHandle, 'services' | 'config'>): string {
  return join(h.services.engineDir, 'containers', h.config.id);
}

/** The container's k8s-file log; empty when logging is off. */
export function containerLogPath(h: Pick<ContainerHandle, 'services' | 'config'>): string {
  return h.config.logDriver === 'none' ? '' : join(containerDir(h), 'ctr.log');
}

export async function saveState(h: ContainerHandle): Promise<void> {
  await h.services.store.containers.saveState(h.config.id, h.state);
}
