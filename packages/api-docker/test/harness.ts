import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Engine } from '@corral/core';
import { loadConfig, openEngine } from '@corral/distro';
import { runCommand, type CommandResult } from '@corral/testkit/child-process';
import { unmountUnder, waitForProcessesUsing } from '@corral/testkit/host-cleanup';
import { DockerApiService } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
/** The bundled `corral` command (its sh launcher). */
export const CLI = join(here, '../dist/cli/corral');

export type Result = CommandResult;

/** A private engine with the busybox image and the Docker API service on a socket in a temp dir. */
export class ServiceBox {
  private constructor(
    readonly dir: string,
    readonly engine: Engine,
    readonly service: DockerApiService,
  ) {}

  static async create(options: { maxBodyBytes?: number } = {}): Promise<ServiceBox> {
    const dir = await mkdtemp(join(tmpdir(), 'corral-api-'));
    const root = join(dir, 'root');
    const runRoot = join(dir, 'run');
    const config = loadConfig({ root, runRoot, configFile: join(dir, 'none.toml') });
    const logger = pino({ level: process.env.CORRAL_LOG_LEVEL ?? 'warn' }, pino.destination(2));
    const engine = await openEngine({
      config,
      logger,
      exitCommand: [CLI, '--root', root, '--runroot', runRoot, '--config', join(dir, 'none.toml'), 'container', 'cleanup'],
    });
    const tar = join(dir, 'busybox.tar');
    execFileSync(join(repo, 'tools/images/busybox-rootfs.sh'), ['--tar', tar]);
    await engine.images.importRootfs(createReadStream(tar), { reference: 'busybox' });
    const service = new DockerApiService({ engine, logger, ...options });
    await service.listen(`unix://${join(dir, 'corral.sock')}`);
    return new ServiceBox(dir, engine, service);
  }

  get socket(): string {
    return join(this.dir, 'corral.sock');
  }

  /** Runs the docker CLI against this service. */
  docker(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Result> {
    return runCommand('docker', args, {
      ...options,
      env: { ...process.env, DOCKER_HOST: `unix://${this.socket}`, DOCKER_CONFIG: join(this.dir, 'docker-config') },
    });
  }

  async dispose(): Promise<void> {
    await this.service.close();
    for (const record of await this.engine.list().catch(() => [])) {
      await this.engine.removeContainer(record.config.id, { force: true, timeout: 0 }).catch(() => undefined);
    }
    await this.engine.close();
    await waitForProcessesUsing(this.dir);
    unmountUnder(this.dir);
    await rm(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}
