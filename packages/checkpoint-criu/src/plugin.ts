import { CheckpointBackend, definePlugin, type Plugin } from '@corral/core';
import type { ArchiveCompression } from './archive-export.js';
import { CriuCheckpointBackend } from './criu-backend.js';
import type { ArchiveLimits } from './limits.js';

export interface CheckpointCriuConfig {
  /** Default /opt/corral/criu/bin/criu (tools/setup-criu.sh); a bare name is looked up on PATH. */
  criuPath?: string;
  compression?: ArchiveCompression;
  limits?: Partial<ArchiveLimits>;
}

/** A fresh plugin value: each engine in a process gets its own backend. */
export function createCheckpointCriuPlugin(): Plugin<CheckpointCriuConfig> {
  let backend: CriuCheckpointBackend | undefined;
  return definePlugin<CheckpointCriuConfig>({
    id: 'checkpoint-criu',
    provides: [CheckpointBackend],
    register(ctx) {
      backend = new CriuCheckpointBackend({ ...ctx.config, logger: ctx.logger });
      ctx.container.register(CheckpointBackend, { useValue: backend });
    },
    async start(ctx) {
      const info = await backend!.probe(ctx.runDir);
      ctx.logger.info({ criuPath: info.path, version: info.version }, 'CRIU is usable');
      if (info.limitation) ctx.logger.warn({ criuPath: info.path, version: info.version }, info.limitation);
    },
    async stop() {
      backend = undefined;
    },
  });
}

/** The plugin for a single engine; see createCheckpointCriuPlugin for several. */
export const checkpointCriuPlugin = createCheckpointCriuPlugin();
