import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { InvalidArgumentError } from '@corral/core';

/** What a distribution is made of; every field has a default (see DEFAULTS). */
export interface DistroConfig {
  root: string;
  runRoot: string;
  /** Default OCI runtime for new containers (runc, runsc, crun). */
  runtime: string;
  /** Event backend: file, sqlite, or none. */
  events: 'file' | 'sqlite' | 'none';
  /** Plugin ids to assemble; the event backend is added from `events`. */
  plugins: string[];
  /** Per-plugin sections, by plugin id ([plugin.runtime-conmon] in TOML). */
  plugin: Record<string, Record<string, unknown>>;
}

export const SYSTEM_CONFIG = '/etc/corral/corral.toml';

export const DEFAULTS: DistroConfig = {
  root: '/var/lib/corral',
  runRoot: '/run/corral',
  runtime: 'runc',
  events: 'file',
  plugins: ['state-sqlite', 'lock-file', 'runtime-conmon', 'storage-overlay', 'network-netavark', 'checkpoint-criu'],
  plugin: {},
};

/** Command-line overrides (--root, --runroot, --runtime, --events-backend). */
export interface ConfigOverrides {
  root?: string;
  runRoot?: string;
  runtime?: string;
  events?: DistroConfig['events'];
  /** A config file to read after the system one (CORRAL_CONFIG or --config). */
  configFile?: string;
}

/**
 * The effective config: defaults, then /etc/corral/corral.toml, then the file named by
 * CORRAL_CONFIG (or --config), then the flags. A missing file is fine; a malformed one
 * is an error that names it.
 */
export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): DistroConfig {
  let config: DistroConfig = structuredClone(DEFAULTS);
  for (const file of [SYSTEM_CONFIG, overrides.configFile ?? env.CORRAL_CONFIG]) {
    if (file) config = merge(config, readConfigFile(file), file);
  }
  if (overrides.root) config.root = overrides.root;
  if (overrides.runRoot) config.runRoot = overrides.runRoot;
  if (overrides.runtime) config.runtime = overrides.runtime;
  if (overrides.events) config.events = checkEvents(overrides.events, 'the --events-backend flag');
  return config;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new InvalidArgumentError(`cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    throw new InvalidArgumentError(`config file ${file} is not valid TOML: ${(err as Error).message}`, { cause: err });
  }
}

function merge(base: DistroConfig, file: Record<string, unknown>, name: string): DistroConfig {
  const out = { ...base, plugin: { ...base.plugin } };
  const known = new Set(['root', 'runroot', 'runtime', 'events', 'plugins', 'plugin']);
  for (const key of Object.keys(file)) {
    if (!known.has(key)) throw new InvalidArgumentError(`config file ${name}: unknown key "${key}"`);
  }
  if (file.root !== undefined) out.root = str(file.root, 'root', name);
  if (file.runroot !== undefined) out.runRoot = str(file.runroot, 'runroot', name);
  if (file.runtime !== undefined) out.runtime = str(file.runtime, 'runtime', name);
  if (file.events !== undefined) out.events = checkEvents(file.events, name);
  if (file.plugins !== undefined) {
    if (!Array.isArray(file.plugins) || file.plugins.some((p) => typeof p !== 'string')) {
      throw new InvalidArgumentError(`config file ${name}: "plugins" must be a list of plugin ids`);
    }
    out.plugins = file.plugins as string[];
  }
  if (file.plugin !== undefined) {
    if (typeof file.plugin !== 'object' || file.plugin === null) {
      throw new InvalidArgumentError(`config file ${name}: [plugin.<id>] sections must be tables`);
    }
    for (const [id, section] of Object.entries(file.plugin as Record<string, unknown>)) {
      out.plugin[id] = { ...out.plugin[id], ...(section as Record<string, unknown>) };
    }
  }
  return out;
}

function str(value: unknown, key: string, file: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(`config file ${file}: "${key}" must be a non-empty string`);
  return value;
}

function checkEvents(value: unknown, where: string): DistroConfig['events'] {
  if (value !== 'file' && value !== 'sqlite' && value !== 'none') {
    throw new InvalidArgumentError(`${where}: events must be "file", "sqlite" or "none", not ${JSON.stringify(value)}`);
  }
  return value;
}
