import { ErrorCode, type NetworkDefinition, type NetworkStore } from '@corral/core';
import type { StateDatabase } from './database.js';
import { ambiguous, conflict, noSuchNetwork } from './errors.js';
import { prefixUpperBound } from './prefix.js';

const SQL = {
  byName: 'SELECT id, definition FROM networks WHERE name = ?',
  byId: 'SELECT id, definition FROM networks WHERE id = ?',
  idsInRange: 'SELECT id, definition FROM networks WHERE id >= ? AND id < ? LIMIT 2',
  idsWithPrefix: 'SELECT id, definition FROM networks WHERE substr(id, 1, length(?1)) = ?1 LIMIT 2',
  nameOrIdTaken: 'SELECT name, id FROM networks WHERE name = ? OR id = ?',
  insert: 'INSERT INTO networks (id, name, definition) VALUES (?, ?, ?)',
  list: 'SELECT definition FROM networks ORDER BY rowid',
  remove: 'DELETE FROM networks WHERE id = ?',
  holder: 'SELECT container_id FROM network_allocations WHERE network_id = ? AND ip = ?',
  allocate: 'INSERT INTO network_allocations (network_id, ip, container_id) VALUES (?, ?, ?)',
  release: 'DELETE FROM network_allocations WHERE container_id = ?',
  allocations: 'SELECT container_id, ip FROM network_allocations WHERE network_id = ? ORDER BY ip',
} as const;

type Row = [id: string, definition: string];

/** Networks by id (name unique), and the addresses handed out, unique per (network, ip). */
export class SqliteNetworkStore implements NetworkStore {
  constructor(private readonly db: StateDatabase) {}

  add(network: NetworkDefinition): Promise<void> {
    const json = JSON.stringify(network);
    return this.db.write(`adding network ${network.name}`, () => {
      const taken = this.db.stmt(SQL.nameOrIdTaken).raw().get(network.name, network.id) as [string, string] | undefined;
      if (taken) {
        const what = taken[0] === network.name ? `name "${network.name}"` : `id "${network.id}"`;
        throw conflict(ErrorCode.NetworkExists, `network ${what} is already in use`, { network: network.name });
      }
      this.db.stmt(SQL.insert).run(network.id, network.name, json);
    });
  }

  get(nameOrId: string): Promise<NetworkDefinition> {
    return this.db.read(`looking up network "${nameOrId}"`, () => {
      const row = this.#exact(nameOrId) ?? this.#byPrefix(nameOrId);
      return JSON.parse(row[1]) as NetworkDefinition;
    });
  }

  list(): Promise<NetworkDefinition[]> {
    return this.db.read('listing networks', () =>
      (this.db.stmt(SQL.list).pluck().all() as string[]).map((json) => JSON.parse(json) as NetworkDefinition),
    );
  }

  remove(name: string): Promise<void> {
    // Allocations go by ON DELETE CASCADE.
    return this.db.write(`removing network ${name}`, () => {
      this.db.stmt(SQL.remove).run(this.#required(name));
    });
  }

  allocate(network: string, containerId: string, ip: string): Promise<void> {
    return this.db.write(`allocating ${ip} on network ${network} to container ${containerId}`, () => {
      const id = this.#required(network);
      const holder = this.db.stmt(SQL.holder).pluck().get(id, ip) as string | undefined;
      if (holder === containerId) return;
      if (holder !== undefined) {
        throw conflict(ErrorCode.NetworkExists, `address ${ip} on network "${network}" is already held by ${holder}`, {
          network,
          ip,
          container: holder,
        });
      }
      this.db.stmt(SQL.allocate).run(id, ip, containerId);
    });
  }

  release(containerId: string): Promise<void> {
    return this.db.write(`releasing the addresses of container ${containerId}`, () => {
      this.db.stmt(SQL.release).run(containerId);
    });
  }

  allocations(network: string): Promise<{ containerId: string; ip: string }[]> {
    return this.db.read(`listing the allocations of network ${network}`, () => {
      const rows = this.db.stmt(SQL.allocations).raw().all(this.#required(network)) as [string, string][];
      return rows.map(([containerId, ip]) => ({ containerId, ip }));
    });
  }

  #exact(nameOrId: string): Row | undefined {
    return (this.db.stmt(SQL.byName).raw().get(nameOrId) ?? this.db.stmt(SQL.byId).raw().get(nameOrId)) as Row | undefined;
  }

  /** The id of the network with this exact name or id. */
  #required(nameOrId: string): string {
    const row = this.#exact(nameOrId);
    if (!row) throw noSuchNetwork(nameOrId);
    return row[0];
  }

  #byPrefix(prefix: string): Row {
    if (prefix === '') throw noSuchNetwork(prefix);
    const upper = prefixUpperBound(prefix);
    const rows = (
      upper === undefined
        ? this.db.stmt(SQL.idsWithPrefix).raw().all(prefix)
        : this.db.stmt(SQL.idsInRange).raw().all(prefix, upper)
    ) as Row[];
    if (rows.length === 1) return rows[0]!;
    // No network-specific code exists for this: the caller's input does not identify one network.
    if (rows.length > 1) throw ambiguous(ErrorCode.InvalidArg, 'network', prefix);
    throw noSuchNetwork(prefix);
  }
}
