import type { RuntimeCreateRequest } from '@corral/core';
import { buildResources, cgroupsPath } from './cgroups.js';
import type { HostInfo } from './host.js';
import { bindMounts, etcMounts, systemMounts } from './mounts.js';
import { buildNamespaces } from './namespaces.js';
import { MASKED_PATHS, READONLY_PATHS } from './paths.js';
import { buildProcess } from './process.js';
import { buildSeccomp } from './seccomp.js';
import type { OciSpec } from './types.js';

export type { OciSpec, OciProcess } from './types.js';
export type { HostInfo } from './host.js';
export { readHostInfo } from './host.js';

/** The OCI runtime spec (config.json) for a container, from its config and its image's. */
export function buildSpec(req: RuntimeCreateRequest, host: HostInfo): OciSpec {
  const { config } = req;
  const hostname = config.hostname || config.id.slice(0, 12);
  const process = buildProcess(config, req.image, req.rootfs, hostname, host);
  const privileged = config.privileged;
  return {
    ociVersion: '1.0.2-dev',
    process,
    root: { path: req.rootfs, readonly: config.readOnly },
    hostname,
    mounts: [...systemMounts(privileged), ...etcMounts(req.etcFiles), ...bindMounts(config.mounts)],
    annotations: { ...config.annotations },
    linux: {
      namespaces: buildNamespaces(config.network.mode, req.netnsPath),
      cgroupsPath: cgroupsPath(config.id),
      resources: buildResources(config.resources),
      maskedPaths: privileged ? [] : MASKED_PATHS,
      readonlyPaths: privileged ? [] : READONLY_PATHS,
      ...(privileged ? {} : { seccomp: buildSeccomp(process.capabilities.bounding) }),
    },
  };
}
