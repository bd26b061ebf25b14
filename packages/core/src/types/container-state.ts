import type { ContainerStatus } from '../status.js';

/** A container's mutable state, saved after every operation. */
export interface ContainerState {
  status: ContainerStatus;
  /** The container's init process on the host; 0 when none. */
  pid: number;
  conmonPid: number;
  /** Set once the process has exited; null before. */
  exitCode: number | null;
  oomKilled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  /** The last error seen for this container (conmon died, a start failed). */
  error: string;
  /** Where the root filesystem is mounted; empty when not mounted. */
  mountPoint: string;
  mountCount: number;
  restartCount: number;
  /** Set by stop and kill from a user; a restart policy never restarts such an exit. */
  stoppedByUser: boolean;
  checkpointed: boolean;
  checkpointedAt: string | null;
  restoredAt: string | null;
  /** Path of the network namespace; empty when none. */
  netnsPath: string;
  /** Whatever the network backend returned at setup, passed back at teardown. */
  networkStatus: unknown;
}

export function initialState(status: ContainerStatus): ContainerState {
  return {
    status,
    pid: 0,
    conmonPid: 0,
    exitCode: null,
    oomKilled: false,
    startedAt: null,
    finishedAt: null,
    error: '',
    mountPoint: '',
    mountCount: 0,
    restartCount: 0,
    stoppedByUser: false,
    checkpointed: false,
    checkpointedAt: null,
    restoredAt: null,
    netnsPath: '',
    networkStatus: null,
  };
}
