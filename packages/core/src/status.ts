/** The states of a container, with libpod's meaning (see DESIGN.md). */
export enum ContainerStatus {
  Unknown = 'unknown',
  /** Exists in the state store only; nothing in the OCI runtime yet. */
  Configured = 'configured',
  /** Created in the OCI runtime (conmon running, process not started). */
  Created = 'created',
  Running = 'running',
  /** The process is dead but the OCI runtime still knows the container. */
  Stopped = 'stopped',
  Paused = 'paused',
  /** Cleaned up: runtime container deleted, network down, storage unmounted. */
  Exited = 'exited',
  Removing = 'removing',
  Stopping = 'stopping',
}

export const ALL_STATUSES: readonly ContainerStatus[] = Object.values(ContainerStatus);

/**
 * What `ps` and the Docker API show. Docker has no "configured": a container that
 * exists only in the database shows as "created", one the runtime knows as "initialized".
 */
const DISPLAY: Record<ContainerStatus, string> = {
  [ContainerStatus.Unknown]: 'unknown',
  [ContainerStatus.Configured]: 'created',
  [ContainerStatus.Created]: 'initialized',
  [ContainerStatus.Running]: 'running',
  [ContainerStatus.Stopped]: 'stopped',
  [ContainerStatus.Paused]: 'paused',
  [ContainerStatus.Exited]: 'exited',
  [ContainerStatus.Removing]: 'removing',
  [ContainerStatus.Stopping]: 'stopping',
};

export function displayStatus(status: ContainerStatus): string {
  return DISPLAY[status];
}

/** Parses a status as `ps --filter status=` and `wait --condition` spell it. */
export function parseStatus(text: string): ContainerStatus {
  const lower = text.toLowerCase();
  if (lower === 'initialized') return ContainerStatus.Created;
  if (lower === 'created') return ContainerStatus.Configured;
  const found = ALL_STATUSES.find((s) => s === lower);
  if (!found) throw new TypeError(`unknown container status "${text}"`);
  return found;
}

/** States in which the container's process exists (as far as the store knows). */
export function isActive(status: ContainerStatus): boolean {
  return status === ContainerStatus.Running || status === ContainerStatus.Paused || status === ContainerStatus.Stopping;
}
