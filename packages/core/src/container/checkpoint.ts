import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { ContainerStatus as S } from '../status.js';
import { ContainerStateError, CorralError, ErrorCode } from '../errors.js';
import type { CheckpointBackend } from '../contracts/checkpoint-backend.js';
import type { ContainerNetworkConfig } from '../types/container-config.js';
import { emitContainerEvent } from './events.js';
import type { EngineServices } from './services.js';
import { containerDir, containerLogPath, saveState, type ContainerHandle } from './handle.js';
import { initResources, releaseResources } from './resources.js';
import { streamPromises } from '../lazy-builtin.js';

export interface CheckpointOptions {
  /** Keep CRIU's images and logs after an export or a restore. */
  keep?: boolean;
  /** Leave the container running after the checkpoint. */
  keepRunning?: boolean;
  tcpEstablished?: boolean;
  fileLocks?: boolean;
  /** Export the checkpoint to this archive. */
  targetFile?: string;
  /** Leave the root filesystem's changes out of the archive. */
  ignoreRootfs?: boolean;
}

export interface RestoreOptions {
  keep?: boolean;
  tcpEstablished?: boolean;
  fileLocks?: boolean;
  ignoreRootfs?: boolean;
  /** Drop static IP addresses (restoring a copy next to the original). */
  ignoreStaticIp?: boolean;
  ignoreStaticMac?: boolean;
}

/** The checkpointed network setup, beside the CRIU images (as in podman's archives). */
export const NETWORK_STATUS = 'network.status';

export async function writeNetworkStatus(dir: string, status: unknown): Promise<void> {
  await writeFile(join(dir, NETWORK_STATUS), JSON.stringify(status ?? null), { mode: 0o600 });
}

async function readNetworkStatus(dir: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(join(dir, NETWORK_STATUS), 'utf8')) as unknown;
  } catch {
    return null;
  }
}

export function checkpointDir(h: ContainerHandle): string {
  return join(containerDir(h), 'checkpoint');
}

export function requireCheckpointBackend(services: EngineServices, what: string): CheckpointBackend {
  if (!services.checkpoint) {
    throw new CorralError(ErrorCode.NotSupported, `cannot checkpoint or restore ${what}: no checkpoint plugin is available`);
  }
  return services.checkpoint;
}

/** Checkpoint with the lock held and the container Running. */
export async function checkpointLocked(h: ContainerHandle, options: CheckpointOptions): Promise<void> {
  const backend = requireCheckpointBackend(h.services, `container ${h.config.name}`);
  const dir = checkpointDir(h);
  const imagePath = join(dir, 'images');
  const workPath = join(dir, 'work');
  await rm(dir, { recursive: true, force: true });
  await mkdir(imagePath, { recursive: true, mode: 0o700 });
  await mkdir(workPath, { recursive: true, mode: 0o700 });

  await h.services.runtime.checkpoint(h.config.id, {
    imagePath,
    workPath,
    criuPath: backend.criuPath(),
    keepRunning: options.keepRunning ?? false,
    tcpEstablished: options.tcpEstablished ?? false,
    fileLocks: options.fileLocks ?? false,
  });
  h.state.checkpointedAt = new Date().toISOString();
  // The network setup goes with the checkpoint, so a restore gets its addresses back.
  const networkStatus = h.state.networkStatus;
  await writeNetworkStatus(dir, networkStatus);
  if (!options.keepRunning) {
    h.state.status = S.Stopped;
    h.state.checkpointed = true;
    await saveState(h);
    await releaseResources(h);
  }

  if (options.targetFile) {
    let rootfsDiffPath: string | undefined;
    let deletedFiles: string[] | undefined;
    if (!options.ignoreRootfs) {
      const diff = await h.services.rootfs.diff(h.config.id);
      rootfsDiffPath = join(dir, 'rootfs-diff.tar');
      await streamPromises().pipeline(diff.tar, createWriteStream(rootfsDiffPath, { mode: 0o600 }));
      deletedFiles = diff.deleted;
    }
    await backend.exportArchive(
      {
        imageDir: imagePath,
        config: h.config,
        networkStatus,
        ...(rootfsDiffPath ? { rootfsDiffPath } : {}),
        ...(deletedFiles ? { deletedFiles } : {}),
        ...(containerLogPath(h) ? { logPath: containerLogPath(h) } : {}),
      },
      options.targetFile,
    );
    if (!options.keep && options.keepRunning) await rm(dir, { recursive: true, force: true });
  }
  await saveState(h);
  await emitContainerEvent(h.services, h.config, 'checkpoint');
}

/** Restore with the lock held from this container's own checkpoint images. */
export async function restoreLocked(h: ContainerHandle, options: RestoreOptions): Promise<void> {
  const backend = requireCheckpointBackend(h.services, `container ${h.config.name}`);
  const dir = checkpointDir(h);
  const imagePath = join(dir, 'images');
  if (!(await exists(imagePath))) {
    throw new ContainerStateError(ErrorCode.CtrStateInvalid, `container ${h.config.name} has no checkpoint to restore from`, {
      details: { id: h.config.id, path: imagePath },
    });
  }
  if (h.state.status === S.Stopped) await releaseResources(h);
  const workPath = join(dir, 'restore-work');
  await mkdir(workPath, { recursive: true, mode: 0o700 });

  const previous = await readNetworkStatus(dir);
  await initResources(h, {
    restoreFrom: {
      imagePath,
      workPath,
      criuPath: backend.criuPath(),
      tcpEstablished: options.tcpEstablished ?? false,
      fileLocks: options.fileLocks ?? false,
    },
    network: networkForRestore(h.config.network, options),
    ...(previous !== null
      ? { previousNetwork: { status: previous, keepIps: !options.ignoreStaticIp, keepMacs: !options.ignoreStaticMac } }
      : {}),
  });
  h.state.status = S.Running;
  h.state.checkpointed = false;
  h.state.restoredAt = new Date().toISOString();
  h.state.startedAt = h.state.restoredAt;
  h.state.stoppedByUser = false;
  await saveState(h);
  if (!options.keep) await rm(dir, { recursive: true, force: true });
  await emitContainerEvent(h.services, h.config, 'restore');
}

export function networkForRestore(network: ContainerNetworkConfig, options: RestoreOptions): ContainerNetworkConfig {
  return {
    ...network,
    attachments: network.attachments.map((a) => ({
      ...a,
      staticIps: options.ignoreStaticIp ? [] : a.staticIps,
      staticMac: options.ignoreStaticMac ? '' : a.staticMac,
    })),
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
