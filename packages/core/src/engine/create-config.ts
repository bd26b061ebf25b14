import { InvalidArgumentError } from '../errors.js';
import { parseSignal } from '../signals.js';
import type {
  ContainerConfig,
  ContainerNetworkConfig,
  CreateContainerOptions,
  NetworkMode,
  RestartPolicy,
} from '../types/container-config.js';
import type { ImageSummary } from '../types/image.js';

export interface ConfigDefaults {
  runtime: string;
  /** The network mode when the caller names none: bridge when a network plugin exists. */
  networkMode: NetworkMode;
  /** The default bridge network's name. */
  defaultNetwork: string;
  stopTimeout: number;
}

/**
 * Builds a container's fixed config from the caller's options and the image's
 * defaults, as Docker does: an entrypoint given by the caller drops the image's CMD;
 * the caller's env overrides the image's by key. Every field is validated: options
 * arrive from the command line and the HTTP API.
 */
export function buildConfig(
  id: string,
  name: string,
  options: CreateContainerOptions,
  image: ImageSummary,
  dependencies: string[],
  defaults: ConfigDefaults,
): ContainerConfig {
  const ic = image.config;
  const entrypoint = options.entrypoint ?? ic.entrypoint;
  const command = options.command ?? (options.entrypoint ? [] : ic.cmd);
  checkStrings('entrypoint', entrypoint);
  checkStrings('command', command);
  if (entrypoint.length + command.length === 0) {
    throw new InvalidArgumentError(`no command specified: image ${options.image} has no CMD or ENTRYPOINT and none was given`);
  }
  const env = mergeEnv(ic.env, options.env ?? []);
  const restartPolicy = checkRestart(options.restartPolicy ?? { name: 'no', maxRetries: 0 });
  if (options.autoRemove && restartPolicy.name !== 'no') {
    throw new InvalidArgumentError('the --rm option conflicts with a restart policy other than "no"');
  }
  const stopSignal = parseSignal(options.stopSignal ?? (ic.stopSignal || 'SIGTERM'));
  const stopTimeout = options.stopTimeout ?? defaults.stopTimeout;
  if (!Number.isInteger(stopTimeout) || stopTimeout < 0) {
    throw new InvalidArgumentError(`invalid stop timeout ${stopTimeout}: a whole number of seconds, 0 or more`);
  }
  const resources = {
    memory: options.resources?.memory ?? 0,
    cpus: options.resources?.cpus ?? 0,
    pidsLimit: options.resources?.pidsLimit ?? 0,
  };
  if (!Number.isInteger(resources.memory) || resources.memory < 0 || (resources.memory > 0 && resources.memory < 6 * 1024 * 1024)) {
    throw new InvalidArgumentError(`invalid memory limit ${resources.memory}: at least 6 MiB, or 0 for none`);
  }
  if (!(resources.cpus >= 0) || !Number.isFinite(resources.cpus)) {
    throw new InvalidArgumentError(`invalid CPU limit ${resources.cpus}`);
  }
  if (!Number.isInteger(resources.pidsLimit) || resources.pidsLimit < 0) {
    throw new InvalidArgumentError(`invalid pids limit ${resources.pidsLimit}`);
  }
  for (const m of options.mounts ?? []) {
    if (!m.source.startsWith('/') || !m.destination.startsWith('/') || m.destination.split('/').includes('..')) {
      throw new InvalidArgumentError(`invalid bind mount ${m.source}:${m.destination}: both paths must be absolute, without ".."`);
    }
  }
  const hostname = options.hostname ?? id.slice(0, 12);
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,252})?$/.test(hostname)) {
    throw new InvalidArgumentError(`invalid hostname ${JSON.stringify(hostname)}`);
  }
  const runtime = options.runtime ?? defaults.runtime;
  if (!/^[a-zA-Z0-9_.-]+$/.test(runtime)) throw new InvalidArgumentError(`invalid runtime name ${JSON.stringify(runtime)}`);
  const logDriver = options.logDriver ?? 'k8s-file';
  if (logDriver !== 'k8s-file' && logDriver !== 'none') {
    throw new InvalidArgumentError(`unsupported log driver ${JSON.stringify(logDriver)}: use k8s-file or none`);
  }

  return {
    id,
    name,
    image: options.image,
    imageId: image.id,
    entrypoint,
    command,
    env,
    workingDir: options.workingDir || ic.workingDir || '/',
    user: options.user ?? ic.user ?? '',
    hostname,
    labels: { ...ic.labels, ...options.labels },
    annotations: { ...options.annotations },
    terminal: options.terminal ?? false,
    stdin: options.stdin ?? false,
    stopSignal,
    stopTimeout,
    restartPolicy,
    autoRemove: options.autoRemove ?? false,
    network: buildNetwork(options.network, defaults),
    mounts: options.mounts ?? [],
    resources,
    runtime,
    logDriver,
    logSizeMax: options.logSizeMax ?? 0,
    readOnly: options.readOnly ?? false,
    capAdd: options.capAdd ?? [],
    capDrop: options.capDrop ?? [],
    privileged: options.privileged ?? false,
    dependencies,
    createdAt: new Date().toISOString(),
  };
}

function buildNetwork(given: Partial<ContainerNetworkConfig> | undefined, defaults: ConfigDefaults): ContainerNetworkConfig {
  const mode = given?.mode ?? defaults.networkMode;
  if (mode !== 'none' && mode !== 'host' && mode !== 'bridge') {
    throw new InvalidArgumentError(`invalid network mode ${JSON.stringify(mode)}: use none, host or bridge`);
  }
  const ports = given?.ports ?? [];
  for (const p of ports) {
    const okPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
    if (!okPort(p.containerPort) || !okPort(p.hostPort) || (p.protocol !== 'tcp' && p.protocol !== 'udp')) {
      throw new InvalidArgumentError(`invalid port mapping ${p.hostPort}:${p.containerPort}/${p.protocol}`);
    }
  }
  if (mode !== 'bridge' && ports.length > 0) {
    throw new InvalidArgumentError(`port mappings need a bridge network; network mode is ${mode}`);
  }
  const attachments =
    mode === 'bridge'
      ? given?.attachments?.length
        ? given.attachments
        : [{ network: defaults.defaultNetwork, staticIps: [], staticMac: '', aliases: [] }]
      : [];
  return {
    mode,
    attachments,
    ports,
    dnsServers: given?.dnsServers ?? [],
    dnsSearch: given?.dnsSearch ?? [],
    extraHosts: given?.extraHosts ?? [],
  };
}

function checkRestart(policy: RestartPolicy): RestartPolicy {
  const names = ['no', 'on-failure', 'always', 'unless-stopped'];
  if (!names.includes(policy.name)) {
    throw new InvalidArgumentError(`invalid restart policy ${JSON.stringify(policy.name)}: use ${names.join(', ')}`);
  }
  if (!Number.isInteger(policy.maxRetries) || policy.maxRetries < 0) {
    throw new InvalidArgumentError(`invalid restart retry count ${policy.maxRetries}`);
  }
  if (policy.name !== 'on-failure' && policy.maxRetries > 0) {
    throw new InvalidArgumentError('a retry count is only valid with the on-failure restart policy');
  }
  return policy;
}

/** Parses "on-failure:3", "always", "no" (the CLI's --restart). */
export function parseRestartPolicy(text: string): RestartPolicy {
  const [name, retries] = text.split(':', 2);
  const maxRetries = retries === undefined ? 0 : Number(retries);
  return checkRestart({ name: name as RestartPolicy['name'], maxRetries });
}

function mergeEnv(base: string[], overrides: string[]): string[] {
  const out = new Map<string, string>();
  for (const entry of [...base, ...overrides]) {
    if (typeof entry !== 'string' || entry.includes('\0')) throw new InvalidArgumentError(`invalid environment entry ${JSON.stringify(entry)}`);
    const eq = entry.indexOf('=');
    const key = eq === -1 ? entry : entry.slice(0, eq);
    if (!key) throw new InvalidArgumentError(`invalid environment entry ${JSON.stringify(entry)}: empty name`);
    out.set(key, eq === -1 ? `${key}=` : entry);
  }
  return [...out.values()];
}

function checkStrings(what: string, list: unknown): void {
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x.includes('\0'))) {
    throw new InvalidArgumentError(`invalid ${what}: a list of strings without NUL`);
  }
}
