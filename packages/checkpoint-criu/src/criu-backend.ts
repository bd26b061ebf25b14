import type { CheckpointArchiveContents, CheckpointBackend, Logger } from '@corral/core';
import type { ArchiveCompression } from './archive-export.js';
import { probeCriu, DEFAULT_CRIU_PATH, type CriuInfo } from './criu-probe.js';
import { cachedProbe } from './probe-cache.js';
import { resolveLimits, type ArchiveLimits } from './limits.js';

export interface CriuBackendOptions {
  /** The CRIU executable (a path, or a name looked up on PATH); default the setup script's wrapper. */
  criuPath?: string;
  /** Compression of exported archives; import detects it. Default gzip, as podman. */
  compression?: ArchiveCompression;
  limits?: Partial<ArchiveLimits>;
  logger: Logger;
}

/** CheckpointBackend on a real CRIU: hands its path to the OCI runtime, writes and reads archives. */
export class CriuCheckpointBackend implements CheckpointBackend {
  readonly limits: ArchiveLimits;
  readonly compression: ArchiveCompression;
  private readonly configuredPath: string;
  private readonly logger: Logger;
  private info: CriuInfo | undefined;

  constructor(options: CriuBackendOptions) {
    this.configuredPath = options.criuPath || DEFAULT_CRIU_PATH;
    this.compression = options.compression ?? 'gzip';
    if (this.compression !== 'gzip' && this.compression !== 'none') {
      throw new RangeError(`unsupported checkpoint archive compression ${JSON.stringify(this.compression)}: use gzip or none`);
    }
    this.limits = resolveLimits(options.limits);
    this.logger = options.logger;
  }

  /**
   * Checks CRIU on this kernel; PluginSkipError with the reason when it cannot work.
   * With a cache directory, a verdict for the same binary and kernel is reused.
   */
  async probe(cacheDir?: string): Promise<CriuInfo> {
    const run = () => probeCriu(this.configuredPath);
    this.info = cacheDir ? await cachedProbe(cacheDir, this.configuredPath, run) : await run();
    return this.info;
  }

  /** The version found by probe(), if it ran. */
  get version(): string | undefined {
    return this.info?.version;
  }

  criuPath(): string {
    return this.info?.path ?? this.configuredPath;
  }

  // The archive code (and tar-stream with it) loads on first use: every engine start
  // loads this plugin, few commands export or import a checkpoint.
  async exportArchive(contents: CheckpointArchiveContents, target: string): Promise<void> {
    const { exportArchive } = await import('./archive-export.js');
    return exportArchive(contents, target, this.compression);
  }

  async importArchive(source: string, destination: string): Promise<CheckpointArchiveContents> {
    const { importArchive } = await import('./archive-import.js');
    return importArchive(source, destination, this.limits, this.logger);
  }
}
