/**
 * The JSON netavark 1.4 reads on stdin for `setup`/`teardown` and prints back, in its
 * own snake_case. Netavark 1.4 does no address management of its own: every container
 * interface arrives with its `static_ips` already chosen by the caller.
 */

export interface NetavarkSubnet {
  subnet: string;
  gateway?: string;
  lease_range?: { start_ip?: string; end_ip?: string };
}

export interface NetavarkNetwork {
  name: string;
  id: string;
  driver: 'bridge';
  network_interface: string;
  subnets: NetavarkSubnet[];
  ipv6_enabled: boolean;
  internal: boolean;
  dns_enabled: boolean;
  options?: Record<string, string>;
  ipam_options?: Record<string, string>;
}

export interface NetavarkPerNetworkOptions {
  interface_name: string;
  static_ips: string[];
  static_mac?: string;
  aliases?: string[];
}

export interface NetavarkPortMapping {
  host_ip: string;
  host_port: number;
  container_port: number;
  protocol: string;
  range: number;
}

/** What `netavark setup|teardown NETNS` reads. Both maps are keyed by network name. */
export interface NetavarkOptions {
  container_id: string;
  container_name: string;
  networks: Record<string, NetavarkPerNetworkOptions>;
  network_info: Record<string, NetavarkNetwork>;
  port_mappings?: NetavarkPortMapping[];
}

export interface NetavarkStatusBlock {
  dns_search_domains?: string[];
  dns_server_ips?: string[];
  interfaces?: Record<string, { mac_address: string; subnets?: { ipnet: string; gateway?: string }[] }>;
}

/** What `netavark setup` prints: one status block per network name. */
export type NetavarkSetupResult = Record<string, NetavarkStatusBlock>;

/**
 * The `status` this backend hands core at setup and gets back at teardown: the exact
 * input that set the container up (so teardown needs nothing else, even after the
 * network definition was removed) and netavark's answer.
 */
export interface NetavarkContainerStatus {
  backend: 'netavark';
  version: 1;
  netnsPath: string;
  options: NetavarkOptions;
  result: NetavarkSetupResult;
}

export function isNetavarkStatus(value: unknown): value is NetavarkContainerStatus {
  const v = value as Partial<NetavarkContainerStatus> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.backend === 'netavark' &&
    v.version === 1 &&
    typeof v.options === 'object' &&
    v.options !== null &&
    typeof v.options.networks === 'object' &&
    typeof v.options.network_info === 'object'
  );
}
