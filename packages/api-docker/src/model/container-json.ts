import { ContainerStatus as S, signalName, type ContainerConfig, type ContainerRecord, type ContainerState, type ExecSession } from '@corral/core';

const GO_ZERO = '0001-01-01T00:00:00Z';

/** Docker's State.Status: created, running, paused, restarting, removing, exited, dead. */
export function dockerState(status: S): string {
  switch (status) {
    case S.Configured:
    case S.Created:
      return 'created';
    case S.Running:
    case S.Stopping:
      return 'running';
    case S.Paused:
      return 'paused';
    case S.Stopped:
    case S.Exited:
      return 'exited';
    case S.Removing:
      return 'removing';
    default:
      return 'dead';
  }
}

/** "Up 3 seconds", "Exited (0) 2 minutes ago", as Docker's human status. */
export function statusText(state: ContainerState, now = Date.now()): string {
  switch (state.status) {
    case S.Running:
    case S.Stopping:
      return `Up ${duration(state.startedAt, now)}`;
    case S.Paused:
      return `Up ${duration(state.startedAt, now)} (Paused)`;
    case S.Stopped:
    case S.Exited:
      return `Exited (${state.exitCode ?? 0}) ${duration(state.finishedAt, now)} ago`;
    case S.Removing:
      return 'Removal In Progress';
    case S.Configured:
    case S.Created:
      return 'Created';
    default:
      return 'Dead';
  }
}

function duration(iso: string | null, now: number): string {
  const seconds = iso ? Math.max(0, Math.floor((now - Date.parse(iso)) / 1000)) : 0;
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(seconds / 86400)} days`;
}

function networkMode(config: ContainerConfig): string {
  return config.network.mode === 'bridge' ? 'bridge' : config.network.mode;
}

function portBindings(config: ContainerConfig): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of config.network.ports) {
    for (let i = 0; i < Math.max(1, p.range); i++) {
      (out[`${p.containerPort + i}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort + i) });
    }
  }
  return out;
}

/** An entry of GET /containers/json. */
export function containerSummary({ config, state }: ContainerRecord) {
  const argv = [...config.entrypoint, ...config.command];
  return {
    Id: config.id,
    Names: [`/${config.name}`],
    Image: config.image,
    ImageID: `sha256:${config.imageId}`,
    Command: argv.join(' '),
    Created: Math.floor(Date.parse(config.createdAt) / 1000),
    Ports: config.network.ports.map((p) => ({
      IP: p.hostIp || '0.0.0.0',
      PrivatePort: p.containerPort,
      PublicPort: p.hostPort,
      Type: p.protocol,
    })),
    Labels: config.labels,
    State: dockerState(state.status),
    Status: statusText(state),
    HostConfig: { NetworkMode: networkMode(config) },
    NetworkSettings: { Networks: networks(config, state) },
    Mounts: mounts(config),
  };
}

function mounts(config: ContainerConfig) {
  return config.mounts.map((m) => ({
    Type: 'bind',
    Source: m.source,
    Destination: m.destination,
    Mode: m.readOnly ? 'ro' : '',
    RW: !m.readOnly,
    Propagation: 'rprivate',
  }));
}

/** The addresses the network backend reported, when it reported them in a shape we know. */
function networks(config: ContainerConfig, state: ContainerState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const status = (state.networkStatus ?? {}) as Record<string, { interfaces?: Record<string, { subnets?: { ipnet?: string; gateway?: string }[]; mac_address?: string }> }>;
  for (const a of config.network.attachments) {
    const iface = Object.values(status[a.network]?.interfaces ?? {})[0];
    const subnet = iface?.subnets?.[0];
    const [ip = '', prefix = '0'] = (subnet?.ipnet ?? '').split('/');
    out[a.network] = {
      IPAMConfig: null,
      Links: null,
      Aliases: a.aliases.length ? a.aliases : null,
      NetworkID: a.network,
      EndpointID: '',
      Gateway: subnet?.gateway ?? '',
      IPAddress: ip,
      IPPrefixLen: Number(prefix),
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      MacAddress: iface?.mac_address ?? '',
    };
  }
  return out;
}

/** GET /containers/{id}/json: Docker's shape built from corral's config and state. */
export function containerInspect(record: ContainerRecord, extra: { logPath: string; execIds: string[] }) {
  const { config, state } = record;
  const argv = [...config.entrypoint, ...config.command];
  const running = state.status === S.Running || state.status === S.Stopping || state.status === S.Paused;
  const nets = networks(config, state);
  const first = Object.values(nets)[0] as { IPAddress?: string; Gateway?: string; MacAddress?: string; IPPrefixLen?: number } | undefined;
  return {
    Id: config.id,
    Created: config.createdAt,
    Path: argv[0] ?? '',
    Args: argv.slice(1),
    State: {
      Status: dockerState(state.status),
      Running: running,
      Paused: state.status === S.Paused,
      Restarting: false,
      OOMKilled: state.oomKilled,
      Dead: state.status === S.Unknown,
      Pid: running ? state.pid : 0,
      ExitCode: state.exitCode ?? 0,
      Error: state.error,
      StartedAt: state.startedAt ?? GO_ZERO,
      FinishedAt: state.finishedAt ?? GO_ZERO,
    },
    Image: `sha256:${config.imageId}`,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: extra.logPath,
    Name: `/${config.name}`,
    RestartCount: state.restartCount,
    Driver: 'overlay',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: extra.execIds.length ? extra.execIds : null,
    HostConfig: {
      Binds: config.mounts.map((m) => `${m.source}:${m.destination}${m.readOnly ? ':ro' : ''}`),
      ContainerIDFile: '',
      LogConfig: { Type: config.logDriver === 'none' ? 'none' : 'k8s-file', Config: {} },
      NetworkMode: networkMode(config),
      PortBindings: portBindings(config),
      RestartPolicy: { Name: config.restartPolicy.name, MaximumRetryCount: config.restartPolicy.maxRetries },
      AutoRemove: config.autoRemove,
      CapAdd: config.capAdd,
      CapDrop: config.capDrop,
      Dns: config.network.dnsServers,
      DnsSearch: config.network.dnsSearch,
      ExtraHosts: config.network.extraHosts,
      Privileged: config.privileged,
      ReadonlyRootfs: config.readOnly,
      Memory: config.resources.memory,
      NanoCpus: Math.round(config.resources.cpus * 1e9),
      PidsLimit: config.resources.pidsLimit || null,
      Runtime: config.runtime,
    },
    GraphDriver: { Name: 'overlay', Data: state.mountPoint ? { MergedDir: state.mountPoint } : {} },
    Mounts: mounts(config),
    Config: {
      Hostname: config.hostname || config.id.slice(0, 12),
      Domainname: '',
      User: config.user,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: Object.fromEntries(config.network.ports.map((p) => [`${p.containerPort}/${p.protocol}`, {}])),
      Tty: config.terminal,
      OpenStdin: config.stdin,
      StdinOnce: false,
      Env: config.env,
      Cmd: config.command.length ? config.command : null,
      Image: config.image,
      Volumes: null,
      WorkingDir: config.workingDir,
      Entrypoint: config.entrypoint.length ? config.entrypoint : null,
      OnBuild: null,
      Labels: config.labels,
      StopSignal: signalName(config.stopSignal),
      StopTimeout: config.stopTimeout,
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      SandboxKey: state.netnsPath,
      Ports: Object.fromEntries(Object.entries(portBindings(config))),
      IPAddress: first?.IPAddress ?? '',
      IPPrefixLen: first?.IPPrefixLen ?? 0,
      Gateway: first?.Gateway ?? '',
      MacAddress: first?.MacAddress ?? '',
      Networks: nets,
    },
  };
}

/** GET /exec/{id}/json. */
export function execInspect(session: ExecSession) {
  const [entrypoint = '', ...args] = session.config.command;
  return {
    ID: session.id,
    Running: session.status === 'running',
    ExitCode: session.exitCode,
    ProcessConfig: {
      tty: session.config.terminal,
      entrypoint,
      arguments: args,
      privileged: session.config.privileged,
      user: session.config.user,
    },
    OpenStdin: session.config.attachStdin,
    OpenStderr: session.config.attachStderr,
    OpenStdout: session.config.attachStdout,
    CanRemove: false,
    ContainerID: session.containerId,
    DetachKeys: session.config.detachKeys,
    Pid: session.pid,
  };
}
