import { createHash } from 'node:crypto';
import { InvalidArgumentError, type Engine, type Logger, type NetworkBackend, type NetworkSetupRequest } from '@corral/core';
import { formatIPv4, hostRange, parseCidr, type Cidr } from '@corral/core/ipv4';

/**
 * Holds the default network's bridge up while the service runs, as dockerd holds
 * docker0. netavark removes a bridge, and its firewall chains, when the last endpoint
 * leaves it, and builds them again for the next container: about 170 ms of iptables
 * calls each way on these hosts, paid by every `docker run --rm` of a quiet service.
 * The keeper is one endpoint of its own (a namespace with one address, no process),
 * set up through the network backend like a container's, and torn down at close;
 * the last teardown then removes the bridge as netavark always does.
 *
 * It takes the subnet's last host address, not the lowest free one, so the first
 * container still gets the address users expect (x.x.x.2), as with docker0.
 *
 * Its id comes from the socket path: a service killed before it could tear the keeper
 * down leaves a record that the next service on that socket replaces (the backend
 * tears down a leftover setup of the same id first).
 */
export class BridgeKeeper {
  private held: Promise<(NetworkSetupRequest & { netnsPath: string; status: unknown }) | undefined> | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly socketPath: string,
    private readonly logger: Logger,
  ) {}

  /** Starts holding the bridge in the background; a failure is logged, never thrown. */
  hold(): void {
    const network = this.engine.network;
    const name = this.engine.defaultNetwork;
    if (!network || !name || this.held) return;
    this.held = this.setUp(network, name).then(
      (held) => {
        this.logger.debug({ network: name, netnsPath: held.netnsPath }, 'holding the default bridge');
        return held;
      },
      (err) => {
        this.logger.warn({ err, network: name }, 'could not hold the default bridge up; containers will build it themselves');
        return undefined;
      },
    );
  }

  private async setUp(network: NetworkBackend, name: string): Promise<NetworkSetupRequest & { netnsPath: string; status: unknown }> {
    const subnet = (await network.inspectNetwork(name)).subnets[0]?.subnet;
    const request: NetworkSetupRequest = {
      containerId: createHash('sha256').update(`corral-api-bridge-keeper:${this.socketPath}`).digest('hex'),
      containerName: 'corral-api-bridge-keeper',
      hostname: 'corral-api-bridge-keeper',
      network: {
        mode: 'bridge',
        attachments: [{ network: name, staticIps: subnet ? [lastHostAddress(subnet)] : [], staticMac: '', aliases: [] }],
        ports: [],
        dnsServers: [],
        dnsSearch: [],
        extraHosts: [],
      },
    };
    const result = await network.setup(request);
    return { ...request, netnsPath: result.netnsPath, status: result.status };
  }

  /** Tears the keeper down (after a setup still under way has finished). */
  async release(): Promise<void> {
    const held = await this.held;
    this.held = undefined;
    if (!held) return;
    await this.engine.network!.teardown(held).catch((err) =>
      this.logger.warn({ err }, 'could not release the default bridge keeper'),
    );
  }
}

/** 10.90.0.0/24 -> 10.90.0.254: the broadcast address less one. */
export function lastHostAddress(cidr: string): string {
  let subnet: Cidr | undefined;
  try {
    subnet = parseCidr(cidr, 'subnet', true);
  } catch {
    // judged below, with the one message for every bad subnet
  }
  if (!subnet || subnet.prefix < 1 || subnet.prefix > 30) {
    throw new InvalidArgumentError(`not an IPv4 subnet with room for hosts: ${cidr}`, { details: { subnet: cidr } });
  }
  return formatIPv4(hostRange(subnet).last);
}
