import type { ContainerNetworkConfig } from '../types/container-config.js';
import type { NetworkDefinition } from '../types/network.js';
import type { ContainerEtcFiles } from './oci-runtime.js';
import { token } from './token.js';

export interface NetworkSetupRequest {
  containerId: string;
  containerName: string;
  hostname: string;
  network: ContainerNetworkConfig;
  /**
   * On restore from a checkpoint: the status the checkpointed setup returned. Attachments
   * without a static IP (MAC) of their own get that setup's addresses (MACs) back, so
   * the restored processes find the addresses they had; `keepIps`/`keepMacs` false are
   * podman's IgnoreStaticIP/IgnoreStaticMAC.
   */
  previous?: { status: unknown; keepIps: boolean; keepMacs: boolean };
}

export interface NetworkSetupResult {
  netnsPath: string;
  /** Opaque to core; stored in the container's state and handed back at teardown. */
  status: unknown;
  etcFiles: ContainerEtcFiles;
}

/**
 * The first step of a staged setup: the namespace exists and the /etc files are
 * written, so the runtime container can be created in it while the interfaces and
 * firewall rules are still being set up.
 */
export interface NetworkSetupStage {
  netnsPath: string;
  etcFiles: ContainerEtcFiles;
  /**
   * Resolves once the setup is complete, with what `setup` would return. When it
   * rejects, the backend has undone the whole setup itself.
   */
  finish(): Promise<NetworkSetupResult>;
}

export interface NetworkCreateOptions {
  name: string;
  /** IPv4 CIDR; picked from the backend's pool when absent. */
  subnet?: string;
  /** Defaults to the subnet's first address. */
  gateway?: string;
  /** A CIDR inside the subnet that addresses are handed out from. */
  ipRange?: string;
  internal?: boolean;
  /** Name resolution between containers (aardvark-dns); default true, as podman's. */
  dnsEnabled?: boolean;
  /** The Linux bridge's name; the backend picks a free one when absent. */
  interfaceName?: string;
  labels?: Record<string, string>;
}

/** What a refresh found leaked and cleaned up. */
export interface NetworkRefreshReport {
  /** Containers whose namespace, interfaces and firewall rules were torn down. */
  tornDown: string[];
  /** Containers whose addresses were released (their container is gone or has no network). */
  released: string[];
}

/** Container networking: namespaces, bridges, ports, names. */
export interface NetworkBackend {
  setup(request: NetworkSetupRequest): Promise<NetworkSetupResult>;
  /**
   * Optional: `setup` in two steps (see NetworkSetupStage). A rejection of either step
   * leaves nothing set up; after the first step, teardown undoes what is there.
   */
  setupStaged?(request: NetworkSetupRequest): Promise<NetworkSetupStage>;
  /** Idempotent: tearing down what is already gone succeeds. */
  teardown(request: NetworkSetupRequest & { netnsPath: string; status: unknown }): Promise<void>;
  createNetwork(options: NetworkCreateOptions): Promise<NetworkDefinition>;
  listNetworks(): Promise<NetworkDefinition[]>;
  inspectNetwork(nameOrId: string): Promise<NetworkDefinition>;
  /**
   * NETWORK_IN_USE while containers hold addresses on it, unless `force` (their setups
   * stay until their own teardown; their addresses are dropped). The default network
   * cannot be removed.
   */
  removeNetwork(nameOrId: string, options?: { force?: boolean }): Promise<void>;
  /**
   * Repairs what crashed engines leaked: setups whose container no longer references
   * them (gone, or its state holds another or no namespace) are torn down, and addresses
   * held for such containers released. Setups younger than a grace period whose creating
   * process still runs are left alone, as they may be mid-start. The engine calls it
   * after resetting container states at refresh.
   */
  refresh(): Promise<NetworkRefreshReport>;
}
export const NetworkBackend = token<NetworkBackend>('corral.network-backend.v1');
