export interface NetworkDefinition {
  name: string;
  id: string;
  driver: 'bridge';
  /** Linux bridge interface name. */
  interface: string;
  subnets: { subnet: string; gateway: string; ipRange?: string }[];
  internal: boolean;
  dnsEnabled: boolean;
  labels: Record<string, string>;
  createdAt: string;
}
