import { ContainerStatus as S, displayStatus, signalName, type ContainerConfig, type ContainerState, type ExecSession, type ImageSummary } from '@corral/core';
import { qualify } from './ps-rows.js';

const GO_ZERO = '0001-01-01T00:00:00Z';

/** `inspect` of a container, with podman's field names for what Corral knows. */
export function containerInspect(config: ContainerConfig, state: ContainerState, sessions: ExecSession[], logPath: string) {
  const args = [...config.entrypoint, ...config.command];
  return {
    Id: config.id,
    Created: config.createdAt,
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: {
      OciVersion: '1.0.2',
      Status: displayStatus(state.status) === 'initialized' ? 'created' : displayStatus(state.status),
      Running: state.status === S.Running,
      Paused: state.status === S.Paused,
      Restarting: false,
      OOMKilled: state.oomKilled,
      Dead: false,
      Pid: state.pid,
      ConmonPid: state.conmonPid,
      ExitCode: state.exitCode ?? 0,
      Error: state.error,
      StartedAt: state.startedAt ?? GO_ZERO,
      FinishedAt: state.finishedAt ?? GO_ZERO,
      Checkpointed: state.checkpointed,
      CheckpointedAt: state.checkpointedAt ?? GO_ZERO,
      RestoredAt: state.restoredAt ?? GO_ZERO,
    },
    Image: config.imageId,
    ImageName: qualify(config.image),
    Rootfs: '',
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    OCIRuntime: config.runtime,
    LogPath: logPath,
    Name: config.name,
    RestartCount: state.restartCount,
    Driver: 'overlay',
    MountLabel: '',
    ProcessLabel: '',
    ExecIDs: sessions.map((s) => s.id),
    Mounts: config.mounts.map((m) => ({
      Type: 'bind',
      Source: m.source,
      Destination: m.destination,
      Driver: '',
      Mode: '',
      Options: m.options,
      RW: !m.readOnly,
      Propagation: 'rprivate',
    })),
    Dependencies: config.dependencies,
    NetworkSettings: {
      Ports: Object.fromEntries(
        config.network.ports.map((p) => [`${p.containerPort}/${p.protocol}`, [{ HostIp: p.hostIp, HostPort: String(p.hostPort) }]]),
      ),
      SandboxKey: state.netnsPath,
    },
    Config: {
      Hostname: config.hostname,
      Domainname: '',
      User: config.user,
      AttachStdin: config.stdin,
      AttachStdout: false,
      AttachStderr: false,
      Tty: config.terminal,
      OpenStdin: config.stdin,
      StdinOnce: false,
      Env: config.env,
      Cmd: config.command,
      Image: qualify(config.image),
      WorkingDir: config.workingDir,
      Entrypoint: config.entrypoint.join(' '),
      Labels: config.labels,
      Annotations: config.annotations,
      StopSignal: signalName(config.stopSignal),
      StopTimeout: config.stopTimeout,
    },
    HostConfig: {
      NetworkMode: config.network.mode,
      RestartPolicy: { Name: config.restartPolicy.name === 'no' ? '' : config.restartPolicy.name, MaximumRetryCount: config.restartPolicy.maxRetries },
      AutoRemove: config.autoRemove,
      CapAdd: config.capAdd,
      CapDrop: config.capDrop,
      Privileged: config.privileged,
      ReadonlyRootfs: config.readOnly,
      Memory: config.resources.memory,
      NanoCpus: Math.round(config.resources.cpus * 1e9),
      PidsLimit: config.resources.pidsLimit,
      LogConfig: { Type: config.logDriver, Path: logPath },
      Binds: config.mounts.map((m) => `${m.source}:${m.destination}${m.readOnly ? ':ro' : ''}`),
    },
  };
}

/** `inspect` of an image, with podman's field names. */
export function imageInspect(image: ImageSummary) {
  return {
    Id: image.id,
    Digest: image.digest,
    RepoTags: image.names,
    RepoDigests: image.digest ? image.names.map((n) => `${n.replace(/:[^/:]+$/, '')}@${image.digest}`) : [],
    Created: image.createdAt,
    Config: {
      Env: image.config.env,
      Entrypoint: image.config.entrypoint,
      Cmd: image.config.cmd,
      WorkingDir: image.config.workingDir,
      User: image.config.user,
      Labels: image.config.labels,
      ExposedPorts: Object.fromEntries(image.config.exposedPorts.map((p) => [p, {}])),
      StopSignal: image.config.stopSignal,
    },
    Architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    Os: 'linux',
    Size: image.size,
    RootFS: { Type: 'layers', Layers: image.layers },
  };
}
