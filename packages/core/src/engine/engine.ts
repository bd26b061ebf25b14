import { mkdir, rename, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from '../crypto.js';
import { trace, type Tracer } from '@opentelemetry/api';
import { Kernel } from '../kernel/kernel.js';
import type { Plugin } from '../kernel/plugin.js';
import type { Token } from '../contracts/token.js';
import { StateStore, type ContainerRecord } from '../contracts/state-store.js';
import { LockManager } from '../contracts/lock-manager.js';
import { OciRuntime } from '../contracts/oci-runtime.js';
import { ImageStore } from '../contracts/image-store.js';
import { RootfsStore } from '../contracts/rootfs-store.js';
import { NetworkBackend } from '../contracts/network-backend.js';
import { CheckpointBackend } from '../contracts/checkpoint-backend.js';
import { EventBackend } from '../contracts/event-backend.js';
import type { Logger } from '../contracts/logger.js';
import { NullEventBackend } from '../null-event-backend.js';
import { ErrorCode, hasCode } from '../errors.js';
import { ContainerStatus as S } from '../status.js';
import { initialState } from '../types/container-state.js';
import type { CreateContainerOptions } from '../types/container-config.js';
import { Container, type ContainerDirectory } from '../container/container.js';
import type { EngineServices } from '../container/services.js';
import { emitContainerEvent, nowNano } from '../container/events.js';
import { noSuchContainer, runtimeMayKnowMore } from '../container/sync.js';
import { networkForRestore, requireCheckpointBackend, writeNetworkStatus, type RestoreOptions } from '../container/checkpoint.js';
import type { RemoveOptions } from '../container/remove.js';
import { buildConfig, type ConfigDefaults } from './create-config.js';
import { newContainerId, randomName, validateName } from './names.js';
import { matchesFilters, validateFilters, type ContainerFilters } from './filters.js';
import { currentBootId, recordBootId, recordedBootId } from './reboot.js';

export interface EngineOptions {
  plugins: readonly Plugin[];
  /** Config sections by plugin id. */
  config?: Record<string, unknown>;
  root?: string;
  runRoot?: string;
  logger?: Logger;
  tracer?: Tracer;
  defaults?: Partial<ConfigDefaults>;
  /** Check the boot id at start and reset container states after a reboot (default true). */
  refreshOnReboot?: boolean;
}

/** Contracts the engine cannot work without; missing ones are named in one error. */
const REQUIRED: readonly Token<unknown>[] = [StateStore, LockManager, OciRuntime, ImageStore, RootfsStore];
const EXIT_CODE_RETENTION_MS = 5 * 60 * 1000;

/**
 * An engine: one assembled set of plugins and the container operations over them.
 * Two engines in one process share nothing.
 */
export class Engine implements ContainerDirectory {
  private constructor(
    readonly kernel: Kernel,
    private readonly services: EngineServices,
    private readonly defaults: ConfigDefaults,
    readonly root: string,
    readonly runRoot: string,
  ) {}

  static async create(options: EngineOptions): Promise<Engine> {
    const root = options.root ?? '/var/lib/corral';
    const runRoot = options.runRoot ?? '/run/corral';
    // pino is loaded only when the caller brings no logger: the CLI brings one that
    // makes pino on its first message, which most commands never log.
    const logger = options.logger ?? (await defaultLogger());
    const enginePlugin: Plugin = { id: 'engine', provides: [], requires: REQUIRED, register() {} };
    const kernel = await Kernel.assemble({
      plugins: [...options.plugins, enginePlugin],
      ...(options.config ? { config: options.config } : {}),
      root,
      runRoot,
      logger,
    });
    const services: EngineServices = {
      store: kernel.get(StateStore),
      locks: kernel.get(LockManager),
      runtime: kernel.get(OciRuntime),
      images: kernel.get(ImageStore),
      rootfs: kernel.get(RootfsStore),
      events: kernel.has(EventBackend) ? kernel.get(EventBackend) : new NullEventBackend(),
      ...(kernel.has(NetworkBackend) ? { network: kernel.get(NetworkBackend) } : {}),
      ...(kernel.has(CheckpointBackend) ? { checkpoint: kernel.get(CheckpointBackend) } : {}),
      logger,
      tracer: options.tracer ?? trace.getTracer('corral'),
      engineDir: join(root, 'engine'),
    };
    const defaults: ConfigDefaults = {
      runtime: 'runc',
      networkMode: services.network ? 'bridge' : 'none',
      defaultNetwork: 'corral',
      stopTimeout: 10,
      ...options.defaults,
    };
    const engine = new Engine(kernel, services, defaults, root, runRoot);
    if (options.refreshOnReboot !== false) {
      try {
        await engine.refreshIfRebooted();
      } catch (err) {
        await kernel.stop().catch(() => undefined);
        throw err;
      }
    }
    return engine;
  }

  get images(): ImageStore {
    return this.services.images;
  }
  get events(): EventBackend {
    return this.services.events;
  }
  get network(): NetworkBackend | undefined {
    return this.services.network;
  }
  /** The bridge network a container joins when it names none (undefined without a network plugin). */
  get defaultNetwork(): string | undefined {
    return this.services.network ? this.defaults.defaultNetwork : undefined;
  }
  get store(): StateStore {
    return this.services.store;
  }
  get logger(): Logger {
    return this.services.logger;
  }

  /** Creates a container (state Configured) from an image and the caller's options. */
  async createContainer(options: CreateContainerOptions): Promise<Container> {
    const sv = this.services;
    const image = await sv.images.resolve(options.image);
    const dependencies: string[] = [];
    for (const dep of options.dependencies ?? []) dependencies.push(await this.lookupId(dep));
    let name = options.name ?? (await this.freeName());
    validateName(name);
    const id = newContainerId();
    let config = buildConfig(id, name, options, image, dependencies, this.defaults);

    await sv.rootfs.create(id, image.id);
    const state = initialState(S.Configured);
    for (let attempt = 1; ; attempt++) {
      try {
        await sv.store.containers.add(config, state);
        break;
      } catch (err) {
        // A generated name taken by a concurrent create since freeName() looked: the
        // store's insert is the atomic check, so pick another and try again.
        if (options.name === undefined && hasCode(err, ErrorCode.CtrExists) && attempt < 10) {
          name = await this.freeName();
          config = buildConfig(id, name, options, image, dependencies, this.defaults);
          continue;
        }
        await sv.rootfs.remove(id).catch((e) => sv.logger.warn({ err: e }, 'rollback of the root filesystem failed'));
        throw err;
      }
    }
    await emitContainerEvent(sv, config, 'create');
    return new Container(config, state, sv, this);
  }

  /** By exact id, exact name, or unique id prefix. NO_SUCH_CTR otherwise. */
  async container(idOrName: string): Promise<Container> {
    const id = await this.lookupId(idOrName);
    try {
      const store = this.services.store.containers;
      return new Container(await store.getConfig(id), await store.getState(id), this.services, this);
    } catch (err) {
      if (hasCode(err, ErrorCode.NoSuchCtr)) throw noSuchContainer(idOrName, err);
      throw err;
    }
  }

  get(id: string): Promise<Container> {
    return this.container(id);
  }

  async exists(idOrName: string): Promise<boolean> {
    try {
      await this.lookupId(idOrName);
      return true;
    } catch (err) {
      if (hasCode(err, ErrorCode.NoSuchCtr)) return false;
      throw err;
    }
  }

  /** Containers and their states as stored (not synced with the runtime), filtered. */
  async list(filters: ContainerFilters = {}): Promise<ContainerRecord[]> {
    validateFilters(filters);
    const all = await this.services.store.containers.list();
    return all.filter((r) => matchesFilters(r, filters));
  }

  /**
   * The containers as `ps` shows them, filtered after the sync (a status filter must
   * see exits). Only those the runtime may know more about are synced, each under its
   * lock; the others are as listed, since only an engine operation, which saves its
   * result, changes them. Containers removed meanwhile are left out.
   */
  async listSynced(filters: ContainerFilters = {}): Promise<ContainerRecord[]> {
    validateFilters(filters);
    const out: ContainerRecord[] = [];
    for (const record of await this.services.store.containers.list()) {
      let current = record;
      if (runtimeMayKnowMore(record.state.status)) {
        try {
          current = { config: record.config, state: await new Container(record.config, record.state, this.services, this).sync() };
        } catch (err) {
          if (hasCode(err, ErrorCode.CtrRemoved) || hasCode(err, ErrorCode.NoSuchCtr)) continue;
          throw err;
        }
      }
      if (matchesFilters(current, filters)) out.push(current);
    }
    return out;
  }

  async removeContainer(idOrName: string, options: RemoveOptions = {}): Promise<void> {
    const ctr = await this.container(idOrName);
    await ctr.remove(options);
  }

  /**
   * When the machine rebooted since the last refresh (its boot id changed), nothing of
   * the runtime side survived: reset every container. Returns whether it refreshed.
   */
  async refreshIfRebooted(): Promise<boolean> {
    const boot = await currentBootId();
    if ((await recordedBootId(this.runRoot)) === boot) return false;
    const locker = this.services.locks.locker('engine-refresh');
    await locker.lock();
    try {
      if ((await recordedBootId(this.runRoot)) === boot) return false;
      await this.refresh();
      await recordBootId(this.runRoot, boot);
      return true;
    } finally {
      await locker.unlock();
    }
  }

  /** Resets every container's runtime state (after a reboot) and prunes old exit codes. */
  async refresh(): Promise<void> {
    for (const record of await this.services.store.containers.list()) {
      const ctr = new Container(record.config, record.state, this.services, this);
      await ctr.refresh();
    }
    if (this.services.network) {
      await this.services.network.refresh().catch((err) => this.services.logger.warn({ err }, 'network refresh failed'));
    }
    await this.services.store.exitCodes.prune(EXIT_CODE_RETENTION_MS);
    await this.services.events
      .write({ timeNano: nowNano(), type: 'system', action: 'refresh', id: '', name: '', image: '', attributes: {} })
      .catch((err) => this.services.logger.warn({ err }, 'could not write the refresh event'));
  }

  /**
   * Restores a container from a checkpoint archive as a new container. The archive is
   * validated before anything is created; on any failure nothing is left behind.
   */
  async restoreFromArchive(archive: string, options: RestoreOptions & { name?: string } = {}): Promise<Container> {
    const sv = this.services;
    const backend = requireCheckpointBackend(sv, `archive ${archive}`);
    const staging = join(sv.engineDir, 'import', randomBytes(8).toString('hex'));
    await mkdir(staging, { recursive: true, mode: 0o700 });
    let createdId: string | undefined;
    try {
      const contents = await backend.importArchive(archive, staging);
      const old = contents.config;
      const id = options.name ? newContainerId() : old.id;
      const name = options.name ?? old.name;
      validateName(name);
      const image = await sv.images.resolve(old.imageId);
      const config = {
        ...old,
        id,
        name,
        imageId: image.id,
        dependencies: [],
        network: networkForRestore(old.network, options),
        createdAt: new Date().toISOString(),
      };
      await sv.rootfs.create(id, image.id);
      createdId = id;
      if (contents.rootfsDiffPath && !options.ignoreRootfs) {
        await sv.rootfs.applyDiff(id, createReadStream(contents.rootfsDiffPath), contents.deletedFiles ?? []);
      }
      await sv.store.containers.add(config, initialState(S.Exited));
      const checkpointDir = join(sv.engineDir, 'containers', id, 'checkpoint');
      await mkdir(checkpointDir, { recursive: true, mode: 0o700 });
      await rename(contents.imageDir, join(checkpointDir, 'images'));
      await writeNetworkStatus(checkpointDir, contents.networkStatus);
      const ctr = await this.container(id);
      await ctr.restore(options);
      return ctr;
    } catch (err) {
      if (createdId) await this.discard(createdId);
      throw err;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    await this.kernel.stop();
  }

  private async discard(id: string): Promise<void> {
    const sv = this.services;
    await sv.runtime.delete(id, true).catch(() => undefined);
    await sv.store.containers.remove(id).catch(() => undefined);
    await sv.rootfs.remove(id).catch((err) => sv.logger.warn({ err }, 'could not remove a discarded root filesystem'));
    await rm(join(sv.engineDir, 'containers', id), { recursive: true, force: true });
  }

  private async lookupId(idOrName: string): Promise<string> {
    if (typeof idOrName !== 'string' || idOrName.length === 0) throw noSuchContainer(String(idOrName));
    try {
      return await this.services.store.containers.lookup(idOrName);
    } catch (err) {
      if (hasCode(err, ErrorCode.NoSuchCtr)) throw noSuchContainer(idOrName, err);
      throw err;
    }
  }

  private async freeName(): Promise<string> {
    for (let i = 0; i < 20; i++) {
      const name = randomName();
      if (!(await this.exists(name))) return name;
    }
    return `${randomName()}_${randomBytes(3).toString('hex')}`;
  }
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  return Engine.create(options);
}

async function defaultLogger(): Promise<Logger> {
  const { pino } = await import('pino');
  const logger: Logger = pino({ level: process.env.CORRAL_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  return logger;
}
