import type { ContainerNetworkConfig } from '../types/container-config.js';
import type { NetworkDefinition } from '../types/network.js';
import type { ContainerEtcFiles } from './oci-runtime.js';
import { token } from './token.js';

export interface NetworkSetupRequest {
  containerId: string;
  containerName: string;
  hostname: string;
  network: ContainerNetworkConfig;
}

export interface NetworkSetupResult {
  netnsPath: string;
  /** Opaque to core; stored in the container's state and handed back at teardown. */
  status: unknown;
  etcFiles: ContainerEtcFiles;
}

export interface NetworkCreateOptions {
  name: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  labels?: Record<string, string>;
}

/** Container networking: namespaces, bridges, ports, names. */
export interface NetworkBackend {
  setup(request: NetworkSetupRequest): Promise<NetworkSetupResult>;
  /** Idempotent: tearing down what is already gone succeeds. */
  teardown(request: NetworkSetupRequest & { netnsPath: string; status: unknown }): Promise<void>;
  createNetwork(options: NetworkCreateOptions): Promise<NetworkDefinition>;
  listNetworks(): Promise<NetworkDefinition[]>;
  inspectNetwork(nameOrId: string): Promise<NetworkDefinition>;
  removeNetwork(nameOrId: string, options?: { force?: boolean }): Promise<void>;
}
export const NetworkBackend = token<NetworkBackend>('corral.network-backend.v1');
