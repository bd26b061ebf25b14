import { ContainerStatus as S } from '../status.js';
import { CorralError, ErrorCode, RuntimeError, describeError } from '../errors.js';
import { emptyImageConfig } from '../types/image.js';
import type { RuntimeRestoreOptions } from '../contracts/oci-runtime.js';
import type { NetworkBackend, NetworkSetupRequest, NetworkSetupStage } from '../contracts/network-backend.js';
import type { ContainerConfig } from '../types/container-config.js';
import { emitContainerEvent } from './events.js';
import { containerLogPath, saveState, type ContainerHandle } from './handle.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Brings up what a container needs in the runtime: its root filesystem mounted, its
 * network namespace, and the runtime container (conmon + `runtime create`). On any
 * failure everything done so far is undone, so the container stays as it was.
 */
export interface InitOptions {
  /** Restore the process from checkpoint images instead of starting it fresh. */
  restoreFrom?: RuntimeRestoreOptions;
  /** The network config for this run (restore may drop static addresses). */
  network?: ContainerConfig['network'];
  /** The checkpointed network setup, so a restore gets its addresses back. */
  previousNetwork?: NonNullable<NetworkSetupRequest['previous']>;
}

export async function initResources(h: ContainerHandle, options: InitOptions = {}): Promise<void> {
  const { services: sv } = h;
  const restoreFrom = options.restoreFrom;
  const config = { ...h.config, network: options.network ?? h.config.network };
  const undo: (() => Promise<unknown>)[] = [];
  try {
    // The root filesystem, the network and the image config do not depend on each
    // other: they are brought up together, and whatever came up is undone on failure.
    const bridge = config.network.mode === 'bridge';
    if (bridge && !sv.network) {
      throw new CorralError(ErrorCode.NotSupported, `container ${config.name} wants a bridge network, but no network plugin is assembled`);
    }
    const request = { containerId: config.id, containerName: config.name, hostname: config.hostname, network: config.network };
    const mounting = sv.rootfs.mount(config.id).then((path) => {
      undo.push(() => sv.rootfs.unmount(config.id));
      return path;
    });
    // The network comes in two steps: the namespace and /etc files first, then the
    // interfaces and firewall rules, which may be set up while the runtime container is
    // created (see RuntimeCreateRequest.networkReady).
    let networkStatus: unknown = null;
    const networking = bridge
      ? stagedSetup(sv.network!, { ...request, ...(options.previousNetwork ? { previous: options.previousNetwork } : {}) }).then((stage) => {
          undo.push(() => sv.network!.teardown({ ...request, netnsPath: stage.netnsPath, status: networkStatus }));
          return stage;
        })
      : Promise.resolve(undefined);
    const resolving = sv.images.resolve(config.imageId).then(
      (i) => i.config,
      () => emptyImageConfig(),
    );
    // All settle before a failure is thrown, so that the undo list is complete.
    const [rootfs, network, image] = await settleAll([mounting, networking, resolving] as const);
    const netnsPath = network?.netnsPath ?? '';
    const etcFiles = network?.etcFiles ?? {};

    undo.push(() => sv.runtime.delete(config.id, true));
    const logPath = containerLogPath(h);
    if (logPath) mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
    const finishing = network?.finish().then((result) => {
      networkStatus = result.status;
    });
    const creating = sv.runtime.create({
      config,
      image,
      rootfs,
      netnsPath,
      etcFiles,
      logPath,
      ...(finishing ? { networkReady: finishing } : {}),
      ...(restoreFrom ? { restoreFrom } : {}),
    });
    // The network's failure first: a runc create that failed because the namespace went
    // with it would otherwise hide the cause.
    const [, created] = await settleAll([finishing, creating] as const);

    h.state.mountPoint = rootfs;
    h.state.mountCount += 1;
    h.state.netnsPath = netnsPath;
    h.state.networkStatus = networkStatus;
    h.state.pid = created.pid;
    h.state.conmonPid = created.conmonPid;
    h.state.exitCode = null;
    h.state.oomKilled = false;
    h.state.error = '';
  } catch (err) {
    for (const step of undo.reverse()) {
      await step().catch((undoErr) => h.logger.warn({ err: undoErr }, 'rollback step failed'));
    }
    throw err;
  }
}

/** A backend without the two-step setup: its whole setup is the first step. */
async function stagedSetup(network: NetworkBackend, request: NetworkSetupRequest): Promise<NetworkSetupStage> {
  if (network.setupStaged) return network.setupStaged(request);
  const result = await network.setup(request);
  return { netnsPath: result.netnsPath, etcFiles: result.etcFiles, finish: async () => result };
}

/** Waits for every promise to settle, then throws the first rejection or returns the values. */
async function settleAll<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/**
 * Releases what the runtime side of a container holds: the runtime container, the
 * network and the root filesystem mount. Every step is tried; the first failure is
 * thrown after the state is saved as Exited, so the next cleanup can try again.
 */
export async function releaseResources(h: ContainerHandle): Promise<void> {
  const { services: sv, config } = h;
  const failures: unknown[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      h.logger.warn({ err, step: what }, 'cleanup step failed');
      failures.push(new RuntimeError(`${what}: ${describeError(err)}`, { cause: err }));
    }
  };

  for (const session of await sv.store.execSessions.listFor(config.id)) {
    await attempt('exec session cleanup', () => sv.runtime.execCleanup(config.id, session.id));
    if (session.status !== 'stopped') {
      await attempt('exec session state', () => sv.store.execSessions.save({ ...session, status: 'stopped', pid: 0 }));
    }
  }
  // The network is torn down while the runtime container is deleted and the root
  // filesystem unmounted (after the delete: a container still in `created` holds it).
  const local = async () => {
    await attempt('runtime delete', () => sv.runtime.delete(config.id, true));
    if (h.state.mountCount === 0) return;
    await attempt('unmount', async () => {
      const unmounted = await sv.rootfs.unmount(config.id);
      h.state.mountCount = Math.max(0, h.state.mountCount - 1);
      if (unmounted) {
        h.state.mountPoint = '';
        h.state.mountCount = 0;
      }
    });
  };
  const releases = [local()];
  // Even without a saved status: a process killed mid-setup left a namespace that only
  // the backend's own records know about, and teardown is idempotent.
  if (sv.network && config.network.mode === 'bridge') {
    const request = { containerId: config.id, containerName: config.name, hostname: config.hostname, network: config.network };
    releases.push(attempt('network teardown', () => sv.network!.teardown({ ...request, netnsPath: h.state.netnsPath, status: h.state.networkStatus })));
  }
  await Promise.all(releases);

  h.state.status = S.Exited;
  h.state.pid = 0;
  h.state.conmonPid = 0;
  h.state.netnsPath = '';
  h.state.networkStatus = null;
  if (failures.length > 0) h.state.error = failures.map(describeError).join('; ');
  await saveState(h);
  await emitContainerEvent(sv, config, 'cleanup');
  if (failures.length > 0) throw failures[0];
}
