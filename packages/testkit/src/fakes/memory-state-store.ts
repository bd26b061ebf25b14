import {
  ConflictError,
  CorralError,
  ErrorCode,
  NotFoundError,
  type ContainerConfig,
  type ContainerRecord,
  type ContainerState,
  type ContainerStore,
  type ExecSession,
  type ExecSessionStore,
  type ExitCodeStore,
  type NetworkDefinition,
  type NetworkStore,
  type StateStore,
} from '@corral/core';

/** Exit codes older than this go on every record(), as the real store does. */
const EXIT_CODE_TTL_MS = 5 * 60_000;

// Callers must never reach stored objects: everything is copied on the way in and out.
const copy = <T>(value: T): T => structuredClone(value);

function noSuchCtr(idOrName: string): NotFoundError {
  return new NotFoundError(ErrorCode.NoSuchCtr, `no container with name or id "${idOrName}"`, {
    details: { container: idOrName },
  });
}

function noSuchNetwork(nameOrId: string): NotFoundError {
  return new NotFoundError(ErrorCode.NoSuchNetwork, `no network with name or id "${nameOrId}"`, {
    details: { network: nameOrId },
  });
}

interface Stored {
  config: ContainerConfig;
  state: ContainerState;
}

/** The tables, shared by the sub-stores of one MemoryStateStore. */
class MemoryData {
  readonly containers = new Map<string, Stored>();
  /** container id -> the ids it depends on; edges go with either end. */
  readonly dependencies = new Map<string, Set<string>>();
  readonly execSessions = new Map<string, ExecSession>();
}

class MemoryContainers implements ContainerStore {
  constructor(private readonly db: MemoryData) {}

  async add(config: ContainerConfig, state: ContainerState): Promise<void> {
    const { containers } = this.db;
    if (containers.has(config.id)) {
      throw new ConflictError(ErrorCode.CtrExists, `container id "${config.id}" is already in use`, {
        details: { container: config.id },
      });
    }
    for (const other of containers.values()) {
      if (other.config.name === config.name) {
        throw new ConflictError(
          ErrorCode.CtrExists,
          `container name "${config.name}" is already in use by ${other.config.id}`,
          { details: { container: other.config.id, name: config.name } },
        );
      }
    }
    for (const dep of config.dependencies) {
      if (!containers.has(dep)) {
        throw new NotFoundError(ErrorCode.NoSuchCtr, `container ${config.id} depends on ${dep}, which does not exist`, {
          details: { container: config.id, dependency: dep },
        });
      }
    }
    containers.set(config.id, { config: copy(config), state: copy(state) });
    this.db.dependencies.set(config.id, new Set(config.dependencies));
  }

  async getConfig(id: string): Promise<ContainerConfig> {
    return copy(this.#get(id).config);
  }

  async getState(id: string): Promise<ContainerState> {
    return copy(this.#get(id).state);
  }

  async saveState(id: string, state: ContainerState): Promise<void> {
    this.#get(id).state = copy(state);
  }

  async remove(id: string): Promise<void> {
    this.#get(id);
    this.db.containers.delete(id);
    for (const [sessionId, session] of this.db.execSessions) {
      if (session.containerId === id) this.db.execSessions.delete(sessionId);
    }
    // Edges pointing at the removed container go too: the store keeps no dangling edge.
    this.db.dependencies.delete(id);
    for (const deps of this.db.dependencies.values()) deps.delete(id);
  }

  async list(): Promise<ContainerRecord[]> {
    return [...this.db.containers.values()].map((c) => ({ config: copy(c.config), state: copy(c.state) }));
  }

  async lookup(idOrName: string): Promise<string> {
    const { containers } = this.db;
    if (idOrName === '') throw noSuchCtr(idOrName);
    if (containers.has(idOrName)) return idOrName;
    for (const c of containers.values()) if (c.config.name === idOrName) return c.config.id;
    const matches = [...containers.keys()].filter((id) => id.startsWith(idOrName));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new CorralError(ErrorCode.CtrAmbiguous, `container id prefix "${idOrName}" matches ${matches.length} containers`, {
        details: { container: idOrName, matches },
      });
    }
    throw noSuchCtr(idOrName);
  }

  async dependents(id: string): Promise<string[]> {
    return [...this.db.dependencies].filter(([, deps]) => deps.has(id)).map(([ctr]) => ctr);
  }

  #get(id: string): Stored {
    const found = this.db.containers.get(id);
    if (!found) throw noSuchCtr(id);
    return found;
  }
}

class MemoryExecSessions implements ExecSessionStore {
  constructor(private readonly db: MemoryData) {}

  async add(session: ExecSession): Promise<void> {
    if (!this.db.containers.has(session.containerId)) throw noSuchCtr(session.containerId);
    if (this.db.execSessions.has(session.id)) {
      throw new ConflictError(ErrorCode.InvalidArg, `exec session "${session.id}" already exists`, {
        details: { session: session.id },
      });
    }
    this.db.execSessions.set(session.id, copy(session));
  }

  async get(id: string): Promise<ExecSession> {
    return copy(this.#get(id));
  }

  async save(session: ExecSession): Promise<void> {
    const stored = this.#get(session.id);
    // A session never moves to another container.
    this.db.execSessions.set(session.id, { ...copy(session), containerId: stored.containerId });
  }

  async remove(id: string): Promise<void> {
    this.#get(id);
    this.db.execSessions.delete(id);
  }

  async listFor(containerId: string): Promise<ExecSession[]> {
    return [...this.db.execSessions.values()].filter((s) => s.containerId === containerId).map(copy);
  }

  #get(id: string): ExecSession {
    const found = this.db.execSessions.get(id);
    if (!found) {
      throw new NotFoundError(ErrorCode.NoSuchExecSession, `no exec session with id "${id}"`, {
        details: { session: id },
      });
    }
    return found;
  }
}

class MemoryExitCodes implements ExitCodeStore {
  readonly #codes = new Map<string, { exitCode: number; at: number }>();

  async record(containerId: string, exitCode: number): Promise<void> {
    this.#prune(EXIT_CODE_TTL_MS);
    this.#codes.set(containerId, { exitCode, at: Date.now() });
  }

  async get(containerId: string): Promise<number | undefined> {
    return this.#codes.get(containerId)?.exitCode;
  }

  async prune(olderThanMs: number): Promise<number> {
    return this.#prune(olderThanMs);
  }

  #prune(olderThanMs: number): number {
    const cutoff = Date.now() - olderThanMs;
    let gone = 0;
    for (const [id, entry] of this.#codes) {
      if (entry.at < cutoff) {
        this.#codes.delete(id);
        gone++;
      }
    }
    return gone;
  }
}

class MemoryNetworks implements NetworkStore {
  readonly #networks = new Map<string, NetworkDefinition>();
  /** network name -> ip -> container id */
  readonly #allocations = new Map<string, Map<string, string>>();

  async add(network: NetworkDefinition): Promise<void> {
    for (const other of this.#networks.values()) {
      if (other.name === network.name || other.id === network.id) {
        throw new ConflictError(
          ErrorCode.NetworkExists,
          `network ${other.name === network.name ? `name "${network.name}"` : `id "${network.id}"`} is already in use`,
          { details: { network: network.name } },
        );
      }
    }
    this.#networks.set(network.name, copy(network));
    this.#allocations.set(network.name, new Map());
  }

  async get(nameOrId: string): Promise<NetworkDefinition> {
    return copy(this.#resolve(nameOrId));
  }

  async list(): Promise<NetworkDefinition[]> {
    return [...this.#networks.values()].map(copy);
  }

  async remove(name: string): Promise<void> {
    const network = this.#exact(name);
    this.#networks.delete(network.name);
    this.#allocations.delete(network.name);
  }

  async allocate(network: string, containerId: string, ip: string): Promise<void> {
    const net = this.#exact(network);
    const taken = this.#allocations.get(net.name)!;
    const holder = taken.get(ip);
    if (holder !== undefined && holder !== containerId) {
      throw new ConflictError(ErrorCode.NetworkExists, `address ${ip} on network "${net.name}" is already held by ${holder}`, {
        details: { network: net.name, ip, container: holder },
      });
    }
    taken.set(ip, containerId);
  }

  async release(containerId: string): Promise<void> {
    for (const taken of this.#allocations.values()) {
      for (const [ip, holder] of taken) if (holder === containerId) taken.delete(ip);
    }
  }

  async allocations(network: string): Promise<{ containerId: string; ip: string }[]> {
    const net = this.#exact(network);
    return [...this.#allocations.get(net.name)!].map(([ip, containerId]) => ({ containerId, ip }));
  }

  /** By exact name or exact id. */
  #exact(nameOrId: string): NetworkDefinition {
    const byName = this.#networks.get(nameOrId);
    if (byName) return byName;
    for (const n of this.#networks.values()) if (n.id === nameOrId) return n;
    throw noSuchNetwork(nameOrId);
  }

  #resolve(nameOrId: string): NetworkDefinition {
    if (nameOrId === '') throw noSuchNetwork(nameOrId);
    const networks = [...this.#networks.values()];
    const exact = networks.find((n) => n.name === nameOrId) ?? networks.find((n) => n.id === nameOrId);
    if (exact) return exact;
    const matches = networks.filter((n) => n.id.startsWith(nameOrId));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new CorralError(ErrorCode.InvalidArg, `network id prefix "${nameOrId}" matches ${matches.length} networks`, {
        details: { network: nameOrId },
      });
    }
    throw noSuchNetwork(nameOrId);
  }
}

/**
 * A StateStore in memory with the error codes and copy semantics of the real one
 * (packages/state-sqlite): what goes in is copied, what comes out is a fresh copy.
 */
export class MemoryStateStore implements StateStore {
  readonly containers: ContainerStore;
  readonly execSessions: ExecSessionStore;
  readonly exitCodes: ExitCodeStore = new MemoryExitCodes();
  readonly networks: NetworkStore = new MemoryNetworks();

  constructor() {
    const data = new MemoryData();
    this.containers = new MemoryContainers(data);
    this.execSessions = new MemoryExecSessions(data);
  }
}
