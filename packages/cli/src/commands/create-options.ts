import { readFileSync } from 'node:fs';
import {
  InvalidArgumentError,
  parseRestartPolicy,
  type BindMount,
  type CreateContainerOptions,
  type NetworkAttachment,
  type PortMapping,
} from '@corral/core';
import { bool, int, list, str, type OptionSpec, type Values } from '../args.js';

/** The options `run` and `create` share, with podman's names. */
export const CREATE_OPTIONS: OptionSpec = {
  name: { type: 'string' },
  detach: { type: 'boolean', short: 'd' },
  rm: { type: 'boolean' },
  interactive: { type: 'boolean', short: 'i' },
  tty: { type: 'boolean', short: 't' },
  env: { type: 'string', short: 'e', multiple: true },
  'env-file': { type: 'string', multiple: true },
  workdir: { type: 'string', short: 'w' },
  user: { type: 'string', short: 'u' },
  entrypoint: { type: 'string' },
  hostname: { type: 'string', short: 'h' },
  label: { type: 'string', short: 'l', multiple: true },
  network: { type: 'string', multiple: true },
  net: { type: 'string', multiple: true },
  publish: { type: 'string', short: 'p', multiple: true },
  ip: { type: 'string' },
  'mac-address': { type: 'string' },
  restart: { type: 'string' },
  'stop-signal': { type: 'string' },
  'stop-timeout': { type: 'string' },
  memory: { type: 'string', short: 'm' },
  cpus: { type: 'string' },
  'pids-limit': { type: 'string' },
  runtime: { type: 'string' },
  'log-driver': { type: 'string' },
  'read-only': { type: 'boolean' },
  'cap-add': { type: 'string', multiple: true },
  'cap-drop': { type: 'string', multiple: true },
  privileged: { type: 'boolean' },
  volume: { type: 'string', short: 'v', multiple: true },
  requires: { type: 'string', multiple: true },
  'detach-keys': { type: 'string' },
  'sig-proxy': { type: 'boolean' },
};

/** Turns parsed flags plus IMAGE [COMMAND...] into the engine's create options. */
export function toCreateOptions(values: Values, positionals: string[]): CreateContainerOptions {
  const [image, ...command] = positionals;
  if (!image) throw new InvalidArgumentError('an image name is required');
  const env = [...list(values, 'env-file').flatMap(readEnvFile), ...list(values, 'env').map(expandEnv)];
  const entrypoint = str(values, 'entrypoint');
  const opts: CreateContainerOptions = {
    image,
    ...(command.length ? { command } : {}),
    ...(entrypoint !== undefined ? { entrypoint: parseEntrypoint(entrypoint) } : {}),
    env,
    labels: Object.fromEntries(list(values, 'label').map(splitKeyValue)),
    terminal: bool(values, 'tty'),
    stdin: bool(values, 'interactive'),
    autoRemove: bool(values, 'rm'),
    readOnly: bool(values, 'read-only'),
    privileged: bool(values, 'privileged'),
    capAdd: list(values, 'cap-add'),
    capDrop: list(values, 'cap-drop'),
    mounts: list(values, 'volume').map(parseVolume),
    dependencies: list(values, 'requires').flatMap((r) => r.split(',')),
    network: parseNetwork(values),
    resources: {
      memory: parseBytes(str(values, 'memory')),
      cpus: parseCpus(str(values, 'cpus')),
      pidsLimit: int(values, 'pids-limit') ?? 0,
    },
  };
  const set = <K extends keyof CreateContainerOptions>(key: K, value: CreateContainerOptions[K] | undefined) => {
    if (value !== undefined) opts[key] = value;
  };
  set('name', str(values, 'name'));
  set('workingDir', str(values, 'workdir'));
  set('user', str(values, 'user'));
  set('hostname', str(values, 'hostname'));
  set('stopSignal', str(values, 'stop-signal'));
  set('stopTimeout', int(values, 'stop-timeout'));
  set('runtime', str(values, 'runtime'));
  const restart = str(values, 'restart');
  if (restart !== undefined) opts.restartPolicy = parseRestartPolicy(restart);
  const logDriver = str(values, 'log-driver');
  if (logDriver !== undefined) {
    if (logDriver !== 'k8s-file' && logDriver !== 'none') {
      throw new InvalidArgumentError(`unsupported log driver "${logDriver}": use k8s-file or none`);
    }
    opts.logDriver = logDriver;
  }
  return opts;
}

function parseEntrypoint(text: string): string[] {
  if (text.trim().startsWith('[')) {
    try {
      const parsed = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed;
    } catch {
      // not JSON: a plain command
    }
  }
  return text === '' ? [] : [text];
}

/** "KEY=value" as is; "KEY" takes the value from corral's own environment, as podman does. */
function expandEnv(entry: string): string {
  if (entry.includes('=')) return entry;
  const value = process.env[entry];
  return value === undefined ? entry : `${entry}=${value}`;
}

function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read env file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map(expandEnv);
}

function splitKeyValue(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  return eq === -1 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

/** -v /host:/ctr[:ro|rw][,options]; named volumes are not supported (yet). */
export function parseVolume(spec: string): BindMount {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw new InvalidArgumentError(`invalid volume "${spec}": use /host/path:/container/path[:ro]`);
  const [source, destination, optionText = ''] = parts as [string, string, string?];
  if (!source.startsWith('/')) {
    throw new InvalidArgumentError(`invalid volume "${spec}": named volumes are not supported; give an absolute host path`);
  }
  const options = optionText ? optionText.split(',') : [];
  for (const o of options) {
    if (!['ro', 'rw', 'z', 'Z', 'rbind', 'bind', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'].includes(o)) {
      throw new InvalidArgumentError(`invalid volume option "${o}" in "${spec}"`);
    }
  }
  return { source, destination, readOnly: options.includes('ro'), options: options.filter((o) => o !== 'ro' && o !== 'rw') };
}

function parseNetwork(values: Values): CreateContainerOptions['network'] {
  const names = [...list(values, 'network'), ...list(values, 'net')].flatMap((n) => n.split(','));
  const ports = list(values, 'publish').flatMap(parsePort);
  const ip = str(values, 'ip');
  const mac = str(values, 'mac-address');
  const special = names.find((n) => n === 'none' || n === 'host' || n === 'bridge');
  if (special && names.length > 1) throw new InvalidArgumentError(`--network ${special} cannot be combined with other networks`);
  const network: NonNullable<CreateContainerOptions['network']> = { ports };
  if (special === 'none' || special === 'host') network.mode = special;
  else if (names.length > 0 || ports.length > 0 || ip || mac) {
    network.mode = 'bridge';
    const attached = names.filter((n) => n !== 'bridge');
    network.attachments = (attached.length ? attached : ['corral']).map(
      (n, i): NetworkAttachment => ({ network: n, staticIps: i === 0 && ip ? [ip] : [], staticMac: i === 0 && mac ? mac : '', aliases: [] }),
    );
  }
  return network;
}

/** -p [hostIP:][hostPort:]containerPort[/tcp|udp], with ranges "8000-8001:80-81". */
export function parsePort(spec: string): PortMapping[] {
  const [addr, proto = 'tcp'] = spec.split('/') as [string, string?];
  if (proto !== 'tcp' && proto !== 'udp') throw new InvalidArgumentError(`invalid protocol in port "${spec}"`);
  const parts = addr.split(':');
  let hostIp = '';
  let hostPart: string;
  let ctrPart: string;
  if (parts.length === 1) [hostPart, ctrPart] = [parts[0]!, parts[0]!];
  else if (parts.length === 2) [hostPart, ctrPart] = [parts[0]!, parts[1]!];
  else if (parts.length === 3) [hostIp, hostPart, ctrPart] = [parts[0]!, parts[1]!, parts[2]!];
  else throw new InvalidArgumentError(`invalid port "${spec}"`);
  if (hostPart === '') hostPart = ctrPart;
  const range = (text: string): [number, number] => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(text);
    if (!m) throw new InvalidArgumentError(`invalid port "${spec}"`);
    const a = Number(m[1]);
    const b = Number(m[2] ?? m[1]);
    if (a < 1 || b > 65535 || b < a) throw new InvalidArgumentError(`invalid port range in "${spec}"`);
    return [a, b];
  };
  const [h1, h2] = range(hostPart);
  const [c1, c2] = range(ctrPart);
  if (h2 - h1 !== c2 - c1) throw new InvalidArgumentError(`port ranges in "${spec}" differ in size`);
  return [{ hostIp, hostPort: h1, containerPort: c1, protocol: proto, range: c2 - c1 + 1 }];
}

/** "512m", "1g", "1048576" -> bytes. */
export function parseBytes(text: string | undefined): number {
  if (text === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`invalid size "${text}": use a number with an optional unit (k, m, g)`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * unit);
}

function parseCpus(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`invalid --cpus "${text}"`);
  return n;
}
