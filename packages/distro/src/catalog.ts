import { InvalidArgumentError, type Plugin } from '@corral/core';

/**
 * The plugins a distribution can be assembled from, by id. Each is loaded only when
 * chosen (dynamic import), so a command that needs no SQLite never loads it. The import
 * names the plugin module, not the package index: an index also re-exports library
 * code (storage's unpacker, tar-stream and all) that an engine start does not run.
 */
export const CATALOG: Record<string, () => Promise<Plugin>> = {
  'state-sqlite': async () => (await import('@corral/state-sqlite/plugin')).createStateSqlitePlugin(),
  'lock-file': async () => (await import('@corral/lock-file/plugin')).createLockFilePlugin(),
  'runtime-conmon': async () => (await import('@corral/runtime-conmon/plugin')).createConmonRuntimePlugin(),
  'storage-overlay': async () => (await import('@corral/storage-overlay/plugin')).createStorageOverlayPlugin(),
  'network-netavark': async () => (await import('@corral/network-netavark/plugin')).createNetworkNetavarkPlugin(),
  'checkpoint-criu': async () => (await import('@corral/checkpoint-criu/plugin')).createCheckpointCriuPlugin(),
  'events-file': async () => (await import('@corral/events-file/plugin')).createEventsFilePlugin(),
  'events-sqlite': async () => (await import('@corral/events-sqlite/plugin')).createEventsSqlitePlugin(),
};

export async function loadPlugins(ids: readonly string[]): Promise<Plugin[]> {
  const unknown = ids.filter((id) => !(id in CATALOG));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`unknown plugins: ${unknown.join(', ')} (known: ${Object.keys(CATALOG).join(', ')})`);
  }
  return Promise.all(ids.map((id) => CATALOG[id]!()));
}
