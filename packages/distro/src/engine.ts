import { Engine, type Logger } from '@corral/core';
import { loadPlugins } from './catalog.js';
import { loadConfig, type ConfigOverrides, type DistroConfig } from './config.js';

export interface OpenOptions extends ConfigOverrides {
  /** The command conmon runs when a container exits (the CLI's `container cleanup`). */
  exitCommand?: string[];
  logger?: Logger;
  /** A config already loaded (otherwise loadConfig(options)). */
  config?: DistroConfig;
}

/** The plugin ids a config asks for, with its event backend. */
export function pluginIds(config: DistroConfig): string[] {
  const ids = [...config.plugins];
  if (config.events !== 'none') {
    const events = `events-${config.events}`;
    if (!ids.includes(events)) ids.push(events);
  }
  return ids;
}

/** Builds the engine of the embedded-defaults distribution from the effective config. */
export async function openEngine(options: OpenOptions = {}): Promise<Engine> {
  const config = options.config ?? loadConfig(options);
  const sections: Record<string, Record<string, unknown>> = { ...config.plugin };
  const runtime: Record<string, unknown> = { defaultRuntime: config.runtime, ...sections['runtime-conmon'] };
  if (options.exitCommand) runtime.exitCommand = options.exitCommand;
  sections['runtime-conmon'] = runtime;
  return Engine.create({
    plugins: await loadPlugins(pluginIds(config)),
    config: sections,
    root: config.root,
    runRoot: config.runRoot,
    defaults: { runtime: config.runtime },
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
