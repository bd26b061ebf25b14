import { accessSync, constants } from 'node:fs';
import { ErrorCode, NetworkBackend, PluginError, PluginSkipError, StateStore, definePlugin, type Plugin } from '@corral/core';
import { DEFAULT_AARDVARK, DEFAULT_NETAVARK, NetavarkNetworkBackend } from './netavark-backend.js';

export interface NetworkNetavarkConfig {
  /** Default /usr/lib/podman/netavark (Debian's podman package). */
  netavarkPath?: string;
  /** Default /usr/lib/podman/aardvark-dns. */
  aardvarkPath?: string;
  /** The default bridge network: name "corral", 10.90.0.0/24 on bridge corral0. */
  defaultNetwork?: string;
  defaultSubnet?: string;
  defaultInterface?: string;
  /** Bridges of user-defined networks are named <prefix>N; default "corral". */
  interfacePrefix?: string;
  /** User-defined networks without a subnet get a free /24 from here; default 10.90.0.0/16. */
  subnetPool?: string;
  /** How long a setup whose process still runs counts as starting, not leaked (ms). */
  refreshGraceMs?: number;
}

/**
 * A fresh `network-netavark` plugin. The backend needs the state store, which exists
 * only once its plugin started, so it is made in start().
 */
export function createNetworkNetavarkPlugin(): Plugin<NetworkNetavarkConfig> {
  let backend: NetavarkNetworkBackend | undefined;
  return definePlugin<NetworkNetavarkConfig>({
    id: 'network-netavark',
    provides: [NetworkBackend],
    requires: [StateStore],
    register(ctx) {
      ctx.container.register(NetworkBackend, {
        useFactory: () => {
          if (!backend) throw new PluginError(ErrorCode.Internal, 'network-netavark: the network backend is used before the plugin started');
          return backend;
        },
      });
    },
    async start(ctx) {
      const config = ctx.config;
      const netavarkPath = config.netavarkPath ?? DEFAULT_NETAVARK;
      const aardvarkPath = config.aardvarkPath ?? DEFAULT_AARDVARK;
      for (const [what, file] of [
        ['netavark', netavarkPath],
        ['aardvark-dns', aardvarkPath],
      ] as const) {
        try {
          accessSync(file, constants.X_OK);
        } catch (err) {
          throw new PluginSkipError(`${what} not found at ${file} (install podman's netavark and aardvark-dns)`, { cause: err });
        }
      }
      backend = new NetavarkNetworkBackend({
        ...config,
        netavarkPath,
        aardvarkPath,
        store: ctx.container.resolve(StateStore),
        runDir: ctx.runDir,
        logger: ctx.logger,
      });
    },
    async stop() {
      backend = undefined;
    },
  });
}

/** The plugin for a single engine; see createNetworkNetavarkPlugin for several. */
export const networkNetavarkPlugin = createNetworkNetavarkPlugin();
