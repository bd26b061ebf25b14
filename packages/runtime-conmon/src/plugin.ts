import { OciRuntime, PluginSkipError, definePlugin, describeError, type Plugin } from '@corral/core';
import type { ConmonRuntimeConfig } from './config.js';
import { ConmonRuntime } from './conmon-runtime.js';

/**
 * A fresh plugin value; each engine in a process gets its own. The runtime keeps its
 * bundles and runtime state in the plugin's run directory.
 */
export function createConmonRuntimePlugin(): Plugin<ConmonRuntimeConfig> {
  let runtime: ConmonRuntime | undefined;
  return definePlugin<ConmonRuntimeConfig>({
    id: 'runtime-conmon',
    provides: [OciRuntime],
    register(ctx) {
      runtime = new ConmonRuntime({ runDir: ctx.runDir, config: ctx.config, logger: ctx.logger });
      ctx.container.register(OciRuntime, { useValue: runtime });
    },
    async start() {
      try {
        runtime?.check();
      } catch (err) {
        throw new PluginSkipError(`runtime-conmon cannot run containers: ${describeError(err)}`, { cause: err });
      }
    },
    async stop() {
      runtime = undefined;
    },
  });
}

/** The plugin for a single engine; see createConmonRuntimePlugin for several. */
export const conmonRuntimePlugin = createConmonRuntimePlugin();
