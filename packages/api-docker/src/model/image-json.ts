import type { ImageSummary } from '@corral/core';

function seconds(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

function sha(id: string): string {
  return id.startsWith('sha256:') ? id : `sha256:${id}`;
}

/** An entry of GET /images/json. */
export function imageSummary(image: ImageSummary) {
  return {
    Id: sha(image.id),
    ParentId: '',
    RepoTags: image.names.length ? image.names : ['<none>:<none>'],
    RepoDigests: image.digest ? image.names.map((n) => `${n.replace(/:[^:/]+$/, '')}@${image.digest}`) : [],
    Created: seconds(image.createdAt),
    Size: image.size,
    SharedSize: -1,
    VirtualSize: image.size,
    Labels: Object.keys(image.config.labels).length ? image.config.labels : null,
    Containers: -1,
  };
}

/** GET /images/{name}/json. */
export function imageInspect(image: ImageSummary) {
  const c = image.config;
  return {
    Id: sha(image.id),
    RepoTags: image.names,
    RepoDigests: imageSummary(image).RepoDigests,
    Parent: '',
    Comment: '',
    Created: image.createdAt,
    DockerVersion: '',
    Author: '',
    Config: {
      Hostname: '',
      Domainname: '',
      User: c.user,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: c.exposedPorts.length ? Object.fromEntries(c.exposedPorts.map((p) => [p, {}])) : null,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: c.env,
      Cmd: c.cmd.length ? c.cmd : null,
      Image: '',
      Volumes: null,
      WorkingDir: c.workingDir,
      Entrypoint: c.entrypoint.length ? c.entrypoint : null,
      OnBuild: null,
      Labels: Object.keys(c.labels).length ? c.labels : null,
      ...(c.stopSignal ? { StopSignal: c.stopSignal } : {}),
    },
    Architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    Os: 'linux',
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: { Name: 'overlay', Data: null },
    RootFS: { Type: 'layers', Layers: image.layers.map(sha) },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}
