import { execFileSync, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Engine } from '@corral/core';
import { loadConfig, openEngine } from '@corral/distro';
import { DockerApiService } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
export const CLI_BUNDLE = join(here, '../dist/cli/corral.mjs');

/**
 * conmon's exit commands (`corral container cleanup` on this root) may still run after
 * the containers are gone; removing the directory under them would let them recreate
 * it. Waits (bounded) until no process names the directory on its command line.
 */
export async function waitForProcessesUsing(dir: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pids = await readdir('/proc').catch(() => [] as string[]);
    let busy = false;
    for (const pid of pids) {
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(dir)) {
        busy = true;
        break;
      }
    }
    if (!busy) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A private engine with the busybox image and the Docker API service on a socket in a temp dir. */
export class ServiceBox {
  private constructor(
    readonly dir: string,
    readonly engine: Engine,
    readonly service: DockerApiService,
  ) {}

  static async create(options: { maxBodyBytes?: number; holdDefaultBridge?: boolean } = {}): Promise<ServiceBox> {
    const dir = await mkdtemp(join(tmpdir(), 'corral-api-'));
    const root = join(dir, 'root');
    const runRoot = join(dir, 'run');
    const config = loadConfig({ root, runRoot, configFile: join(dir, 'none.toml') });
    const logger = pino({ level: process.env.CORRAL_LOG_LEVEL ?? 'warn' }, pino.destination(2));
    const engine = await openEngine({
      config,
      logger,
      exitCommand: [process.execPath, CLI_BUNDLE, '--root', root, '--runroot', runRoot, '--config', join(dir, 'none.toml'), 'container', 'cleanup'],
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
    return new Promise((resolve, reject) => {
      const child = spawn('docker', args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, DOCKER_HOST: `unix://${this.socket}`, DOCKER_CONFIG: join(this.dir, 'docker-config') },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
      });
      if (options.input !== undefined) child.stdin.end(options.input);
      else child.stdin.end();
    });
  }

  async dispose(): Promise<void> {
    await this.service.close();
    for (const record of await this.engine.list().catch(() => [])) {
      await this.engine.removeContainer(record.config.id, { force: true, timeout: 0 }).catch(() => undefined);
    }
    await this.engine.close();
    await waitForProcessesUsing(this.dir);
    execFileSync('sh', ['-c', `grep -F ${JSON.stringify(this.dir)} /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r umount -l`]);
    await rm(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}
