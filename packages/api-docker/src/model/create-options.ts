import { parseRestartPolicy, type BindMount, type CreateContainerOptions, type PortMapping, type RestartPolicy } from '@corral/core';
import { ApiError } from '../http/api-error.js';

type Json = Record<string, unknown>;

function bad(field: string, expected: string, value: unknown): ApiError {
  return new ApiError(400, `invalid value for ${field}: expected ${expected}, got ${JSON.stringify(value)}`);
}

function obj(body: Json, key: string, field = key): Json | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(field, 'an object', v);
  return v as Json;
}

function str(body: Json | undefined, key: string, field = key): string | undefined {
  const v = body?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad(field, 'a string', v);
  return v;
}

function bool(body: Json | undefined, key: string, field = key): boolean | undefined {
  const v = body?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw bad(field, 'a boolean', v);
  return v;
}

function num(body: Json | undefined, key: string, field = key): number | undefined {
  const v = body?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(field, 'a number', v);
  return v;
}

/** A string list; Docker also accepts a single string for Cmd and Entrypoint. */
function strList(body: Json | undefined, key: string, field = key): string[] | undefined {
  const v = body?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(field, 'a list of strings', v);
  return v as string[];
}

/** Binds: "src:dst[:ro|rw|z,...]"; named volumes are not supported (no volume plugin). */
function parseBind(spec: string): BindMount {
  const [source = '', destination = '', mode = ''] = spec.split(':');
  if (!source.startsWith('/')) throw new ApiError(400, `invalid bind ${JSON.stringify(spec)}: only host paths are supported, named volumes are not`);
  if (!destination) throw new ApiError(400, `invalid bind ${JSON.stringify(spec)}: no destination`);
  const flags = mode ? mode.split(',') : [];
  return { source, destination, readOnly: flags.includes('ro'), options: flags.filter((f) => f !== 'ro' && f !== 'rw' && f !== 'z' && f !== 'Z') };
}

function parsePorts(bindings: Json | undefined): PortMapping[] {
  const out: PortMapping[] = [];
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(key);
    if (!m) throw new ApiError(400, `invalid port ${JSON.stringify(key)} in HostConfig.PortBindings`);
    if (list === null) continue;
    if (!Array.isArray(list)) throw bad(`HostConfig.PortBindings[${key}]`, 'a list', list);
    for (const b of list as Json[]) {
      const hostPort = str(b, 'HostPort', 'HostPort') ?? '';
      out.push({
        hostIp: str(b, 'HostIp', 'HostIp') ?? '',
        hostPort: hostPort === '' ? 0 : Number(hostPort),
        containerPort: Number(m[1]),
        protocol: (m[2] ?? 'tcp') as 'tcp' | 'udp',
        range: 1,
      });
    }
  }
  return out;
}

function restartPolicy(hc: Json | undefined): RestartPolicy | undefined {
  const rp = hc ? obj(hc, 'RestartPolicy', 'HostConfig.RestartPolicy') : undefined;
  const name = str(rp, 'Name', 'HostConfig.RestartPolicy.Name');
  if (!name) return undefined;
  const retries = num(rp, 'MaximumRetryCount', 'HostConfig.RestartPolicy.MaximumRetryCount') ?? 0;
  return parseRestartPolicy(name === 'on-failure' && retries > 0 ? `${name}:${retries}` : name);
}

function networkMode(mode: string | undefined): 'bridge' | 'host' | 'none' | undefined {
  if (mode === undefined || mode === '' || mode === 'default' || mode === 'bridge') return undefined;
  if (mode === 'host' || mode === 'none') return mode;
  throw new ApiError(400, `network mode ${JSON.stringify(mode)} is not supported: use bridge, host or none`);
}

/** POST /containers/create's body (Config + HostConfig + NetworkingConfig) as corral's create options. */
export function toCreateOptions(body: Json, name: string | undefined): CreateContainerOptions {
  const image = str(body, 'Image');
  if (!image) throw new ApiError(400, 'Config.Image is required');
  const hc = obj(body, 'HostConfig');
  const opts: CreateContainerOptions = { image };
  if (name) opts.name = name.replace(/^\//, '');
  const entrypoint = strList(body, 'Entrypoint');
  // --entrypoint "" arrives as [""]: it clears the image's entrypoint.
  if (entrypoint) opts.entrypoint = entrypoint.filter((a, i) => !(i === 0 && a === '' && entrypoint.length === 1));
  const cmd = strList(body, 'Cmd');
  if (cmd && cmd.length) opts.command = cmd;
  const env = strList(body, 'Env');
  if (env) opts.env = env;
  const workingDir = str(body, 'WorkingDir');
  if (workingDir) opts.workingDir = workingDir;
  const user = str(body, 'User');
  if (user) opts.user = user;
  const hostname = str(body, 'Hostname');
  if (hostname) opts.hostname = hostname;
  const labels = obj(body, 'Labels');
  if (labels) {
    for (const [k, v] of Object.entries(labels)) if (typeof v !== 'string') throw bad(`Labels[${k}]`, 'a string', v);
    opts.labels = labels as Record<string, string>;
  }
  const tty = bool(body, 'Tty');
  if (tty !== undefined) opts.terminal = tty;
  const openStdin = bool(body, 'OpenStdin');
  if (openStdin !== undefined) opts.stdin = openStdin;
  const stopSignal = str(body, 'StopSignal');
  if (stopSignal) opts.stopSignal = stopSignal;
  const stopTimeout = num(body, 'StopTimeout');
  if (stopTimeout !== undefined) opts.stopTimeout = stopTimeout;
  if (hc) applyHostConfig(hc, opts);
  return opts;
}

function applyHostConfig(hc: Json, opts: CreateContainerOptions): void {
  const autoRemove = bool(hc, 'AutoRemove', 'HostConfig.AutoRemove');
  if (autoRemove !== undefined) opts.autoRemove = autoRemove;
  const binds = strList(hc, 'Binds', 'HostConfig.Binds');
  if (binds) opts.mounts = binds.map(parseBind);
  const policy = restartPolicy(hc);
  if (policy && policy.name !== 'no') opts.restartPolicy = policy;
  const mode = networkMode(str(hc, 'NetworkMode', 'HostConfig.NetworkMode'));
  const ports = parsePorts(obj(hc, 'PortBindings', 'HostConfig.PortBindings'));
  const dns = strList(hc, 'Dns', 'HostConfig.Dns');
  const dnsSearch = strList(hc, 'DnsSearch', 'HostConfig.DnsSearch');
  const extraHosts = strList(hc, 'ExtraHosts', 'HostConfig.ExtraHosts');
  if (mode || ports.length || dns?.length || dnsSearch?.length || extraHosts?.length) {
    opts.network = {
      ...(mode ? { mode } : {}),
      ...(ports.length ? { ports } : {}),
      ...(dns?.length ? { dnsServers: dns } : {}),
      ...(dnsSearch?.length ? { dnsSearch } : {}),
      ...(extraHosts?.length ? { extraHosts } : {}),
    };
  }
  const memory = num(hc, 'Memory', 'HostConfig.Memory');
  const nanoCpus = num(hc, 'NanoCpus', 'HostConfig.NanoCpus');
  const pidsLimit = num(hc, 'PidsLimit', 'HostConfig.PidsLimit');
  if (memory || nanoCpus || (pidsLimit && pidsLimit > 0)) {
    opts.resources = {
      ...(memory ? { memory } : {}),
      ...(nanoCpus ? { cpus: nanoCpus / 1e9 } : {}),
      ...(pidsLimit && pidsLimit > 0 ? { pidsLimit } : {}),
    };
  }
  const privileged = bool(hc, 'Privileged', 'HostConfig.Privileged');
  if (privileged !== undefined) opts.privileged = privileged;
  const readOnly = bool(hc, 'ReadonlyRootfs', 'HostConfig.ReadonlyRootfs');
  if (readOnly !== undefined) opts.readOnly = readOnly;
  const capAdd = strList(hc, 'CapAdd', 'HostConfig.CapAdd');
  if (capAdd) opts.capAdd = capAdd;
  const capDrop = strList(hc, 'CapDrop', 'HostConfig.CapDrop');
  if (capDrop) opts.capDrop = capDrop;
  const runtime = str(hc, 'Runtime', 'HostConfig.Runtime');
  if (runtime) opts.runtime = runtime;
  const logConfig = obj(hc, 'LogConfig', 'HostConfig.LogConfig');
  const logType = str(logConfig, 'Type', 'HostConfig.LogConfig.Type');
  if (logType === 'none') opts.logDriver = 'none';
}
