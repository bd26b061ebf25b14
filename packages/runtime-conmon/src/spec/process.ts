import type { ContainerConfig, ImageConfig } from '@corral/core';
import { buildCapabilities } from './capabilities.js';
import { DEFAULT_PATH, withDefaults } from './env.js';
import type { HostInfo } from './host.js';
import { buildRlimits } from './rlimits.js';
import type { OciProcess } from './types.js';
import { resolveUser } from './user.js';

/** The container's main process: argv, environment, user, capabilities, limits. */
export function buildProcess(config: ContainerConfig, image: ImageConfig, rootfs: string, hostname: string, host: HostInfo): OciProcess {
  let args = [...config.entrypoint, ...config.command];
  if (args.length === 0) args = [...image.entrypoint, ...image.cmd];
  const userSpec = config.user || image.user || '';
  const user = resolveUser(rootfs, userSpec, `container ${config.id}`);
  const env = withDefaults(config.env.length ? config.env : image.env, {
    PATH: DEFAULT_PATH.slice('PATH='.length),
    HOME: user.home,
    HOSTNAME: hostname,
    ...(config.terminal ? { TERM: 'xterm' } : {}),
  });
  return {
    terminal: config.terminal,
    user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}) },
    args,
    env,
    cwd: config.workingDir || image.workingDir || '/',
    capabilities: buildCapabilities(
      { capAdd: config.capAdd, capDrop: config.capDrop, privileged: config.privileged, uid: user.uid },
      host.lastCap,
    ),
    rlimits: buildRlimits(host.hardLimits),
    noNewPrivileges: !config.privileged,
  };
}
