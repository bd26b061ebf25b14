/** A container's configuration: fixed at create, never changed afterwards. */

export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';
export interface RestartPolicy {
  name: RestartPolicyName;
  /** For on-failure: the number of restarts allowed; 0 means unlimited. */
  maxRetries: number;
}

export type NetworkMode = 'none' | 'host' | 'bridge';

export interface PortMapping {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  /** Ports in the range hostPort..hostPort+range-1 map to containerPort..; 1 for a single port. */
  range: number;
}

export interface NetworkAttachment {
  /** The network's name (the default bridge network when the user gave none). */
  network: string;
  staticIps: string[];
  staticMac: string;
  aliases: string[];
}

export interface ContainerNetworkConfig {
  mode: NetworkMode;
  /** Networks joined in bridge mode, in order. */
  attachments: NetworkAttachment[];
  ports: PortMapping[];
  dnsServers: string[];
  dnsSearch: string[];
  extraHosts: string[];
}

export interface BindMount {
  source: string;
  destination: string;
  readOnly: boolean;
  /** Extra mount options (rbind, private, ...). */
  options: string[];
}

export interface Resources {
  /** Bytes; 0 for no limit. */
  memory: number;
  /** Number of CPUs, fractions allowed; 0 for no limit. */
  cpus: number;
  /** Maximum number of processes; 0 for no limit. */
  pidsLimit: number;
}

export interface ContainerConfig {
  id: string;
  name: string;
  /** The image reference as the user gave it ("busybox", "localhost/app:1"). */
  image: string;
  /** The resolved image id (sha256 hex). */
  imageId: string;
  /** The final argv: entrypoint followed by command. */
  entrypoint: string[];
  command: string[];
  /** KEY=VALUE, the image's environment merged with the user's. */
  env: string[];
  workingDir: string;
  /** "uid[:gid]" or a user name resolved inside the container; empty for root. */
  user: string;
  hostname: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  terminal: boolean;
  /** Keep stdin open (-i). */
  stdin: boolean;
  stopSignal: number;
  /** Seconds to wait after the stop signal before SIGKILL. */
  stopTimeout: number;
  restartPolicy: RestartPolicy;
  /** Remove the container once it has exited (--rm). */
  autoRemove: boolean;
  network: ContainerNetworkConfig;
  mounts: BindMount[];
  resources: Resources;
  /** OCI runtime name (runc, runsc, crun). */
  runtime: string;
  logDriver: 'k8s-file' | 'none';
  /** Size cap of the log in bytes; 0 for none. */
  logSizeMax: number;
  readOnly: boolean;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  /** Ids of containers that must be running before this one starts. */
  dependencies: string[];
  /** ISO 8601 with nanoseconds is not needed here: milliseconds suffice. */
  createdAt: string;
}

/** What a caller passes to create a container; everything but the image is optional. */
export interface CreateContainerOptions {
  image: string;
  name?: string;
  entrypoint?: string[];
  command?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  terminal?: boolean;
  stdin?: boolean;
  stopSignal?: number | string;
  stopTimeout?: number;
  restartPolicy?: RestartPolicy;
  autoRemove?: boolean;
  network?: Partial<ContainerNetworkConfig>;
  mounts?: BindMount[];
  resources?: Partial<Resources>;
  runtime?: string;
  logDriver?: 'k8s-file' | 'none';
  logSizeMax?: number;
  readOnly?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  /** Names or ids of containers this one requires. */
  dependencies?: string[];
}
