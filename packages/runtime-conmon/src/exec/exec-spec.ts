import type { ExecConfig } from '@corral/core';
import { buildCapabilities } from '../spec/capabilities.js';
import { mergeEnv, withDefaults } from '../spec/env.js';
import type { OciProcess } from '../spec/types.js';
import { resolveUser } from '../spec/user.js';

export interface ExecSpecContext {
  containerId: string;
  /** The container's own process from its config.json. */
  container: OciProcess;
  rootfs: string;
  lastCap: number;
  capAdd: string[];
  capDrop: string[];
}

/**
 * The process spec of an exec: the container's process with the session's command,
 * environment on top of the container's, working directory and user when given.
 */
export function buildExecProcess(ctx: ExecSpecContext, config: ExecConfig): OciProcess {
  const base = ctx.container;
  let user = base.user;
  let home: string | undefined;
  if (config.user) {
    const r = resolveUser(ctx.rootfs, config.user, `exec in container ${ctx.containerId}`);
    user = { uid: r.uid, gid: r.gid, ...(r.additionalGids.length ? { additionalGids: r.additionalGids } : {}) };
    home = r.home;
  }
  let env = mergeEnv(base.env, config.env);
  if (home) env = mergeEnv(env, config.env.some((e) => e.startsWith('HOME=')) ? [] : [`HOME=${home}`]);
  if (config.terminal) env = withDefaults(env, { TERM: 'xterm' });
  const capabilities =
    config.privileged || user.uid !== base.user.uid
      ? buildCapabilities({ capAdd: ctx.capAdd, capDrop: ctx.capDrop, privileged: config.privileged, uid: user.uid }, ctx.lastCap)
      : base.capabilities;
  return {
    terminal: config.terminal,
    user,
    args: config.command,
    env,
    cwd: config.workingDir || base.cwd,
    capabilities,
    rlimits: base.rlimits,
    noNewPrivileges: config.privileged ? false : base.noNewPrivileges,
  };
}
