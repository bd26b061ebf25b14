import type { ContainerConfig } from '../types/container-config.js';
import type { ContainerState } from '../types/container-state.js';
import type { ExecSession } from '../types/exec.js';
import type { NetworkDefinition } from '../types/network.js';
import { token } from './token.js';

export interface ContainerRecord {
  config: ContainerConfig;
  state: ContainerState;
}

/** Containers: an immutable config and a mutable state, kept apart. */
export interface ContainerStore {
  /** Adds both in one transaction. CTR_EXISTS when the id or the name is taken. */
  add(config: ContainerConfig, state: ContainerState): Promise<void>;
  /** NO_SUCH_CTR when absent. */
  getConfig(id: string): Promise<ContainerConfig>;
  /** NO_SUCH_CTR when absent. */
  getState(id: string): Promise<ContainerState>;
  /** NO_SUCH_CTR when absent (it was removed meanwhile). */
  saveState(id: string, state: ContainerState): Promise<void>;
  /** Removes config, state, exec sessions and dependency edges. NO_SUCH_CTR when absent. */
  remove(id: string): Promise<void>;
  list(): Promise<ContainerRecord[]>;
  /**
   * The id for an exact id, an exact name, or a unique id prefix (in that order).
   * NO_SUCH_CTR when nothing matches, CTR_AMBIGUOUS when a prefix matches several.
   */
  lookup(idOrName: string): Promise<string>;
  /** Ids of the containers whose config lists `id` as a dependency. */
  dependents(id: string): Promise<string[]>;
}

export interface ExecSessionStore {
  /** NO_SUCH_CTR when the container does not exist. */
  add(session: ExecSession): Promise<void>;
  /** NO_SUCH_EXEC_SESSION when absent. */
  get(id: string): Promise<ExecSession>;
  /** NO_SUCH_EXEC_SESSION when absent. */
  save(session: ExecSession): Promise<void>;
  /** NO_SUCH_EXEC_SESSION when absent. */
  remove(id: string): Promise<void>;
  listFor(containerId: string): Promise<ExecSession[]>;
}

/** Exit codes that outlive their container, so `wait` on a removed container answers. */
export interface ExitCodeStore {
  record(containerId: string, exitCode: number): Promise<void>;
  /** undefined when none is kept. */
  get(containerId: string): Promise<number | undefined>;
  /** Drops codes recorded more than `olderThanMs` ago; returns how many went. */
  prune(olderThanMs: number): Promise<number>;
}

/** Network definitions and the addresses handed out on them. */
export interface NetworkStore {
  /** NETWORK_EXISTS when the name or id is taken. */
  add(network: NetworkDefinition): Promise<void>;
  /** By name, id, or unique id prefix. NO_SUCH_NETWORK when absent. */
  get(nameOrId: string): Promise<NetworkDefinition>;
  list(): Promise<NetworkDefinition[]>;
  /** NO_SUCH_NETWORK when absent. Also drops its allocations. */
  remove(name: string): Promise<void>;
  /** Reserves `ip` on `network` for a container; NETWORK_EXISTS-style conflict when taken. */
  allocate(network: string, containerId: string, ip: string): Promise<void>;
  /** Frees every address a container holds, on every network. */
  release(containerId: string): Promise<void>;
  allocations(network: string): Promise<{ containerId: string; ip: string }[]>;
}

/** The state store, split by concern; one plugin provides all of it. */
export interface StateStore {
  readonly containers: ContainerStore;
  readonly execSessions: ExecSessionStore;
  readonly exitCodes: ExitCodeStore;
  readonly networks: NetworkStore;
}
export const StateStore = token<StateStore>('corral.state-store.v1');
