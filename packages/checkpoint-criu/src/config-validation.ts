import {
  validateName,
  type BindMount,
  type ContainerConfig,
  type ContainerNetworkConfig,
  type NetworkAttachment,
  type PortMapping,
  type Resources,
  type RestartPolicy,
} from '@corral/core';

/** A field of config.dump that does not have the shape of core's ContainerConfig. */
export class ConfigShapeError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`field ${field}: ${reason}`);
  }
}

type Check<T> = (value: unknown, field: string) => T;
/** One check per field: the compiler refuses this table when ContainerConfig gains a field. */
type Shape<T> = { [K in keyof T]-?: Check<T[K]> };

const HEX64 = /^[0-9a-f]{64}$/;
const MAX_STRING = 64 * 1024;

const str =
  (opts: { pattern?: RegExp; what?: string; nonEmpty?: boolean } = {}): Check<string> =>
  (v, field) => {
    if (typeof v !== 'string') throw new ConfigShapeError(field, 'not a string');
    if (v.includes('\0')) throw new ConfigShapeError(field, 'holds a NUL byte');
    if (v.length > MAX_STRING) throw new ConfigShapeError(field, 'too long');
    if (opts.nonEmpty && v === '') throw new ConfigShapeError(field, 'empty');
    if (opts.pattern && !opts.pattern.test(v)) throw new ConfigShapeError(field, `${JSON.stringify(v)} is not ${opts.what ?? 'valid'}`);
    return v;
  };

const bool: Check<boolean> = (v, field) => {
  if (typeof v !== 'boolean') throw new ConfigShapeError(field, 'not a boolean');
  return v;
};

const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check<number> =>
  (v, field) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw new ConfigShapeError(field, `not a whole number from ${min} to ${max}`);
    }
    return v;
  };

const oneOf =
  <T extends string>(...values: T[]): Check<T> =>
  (v, field) => {
    if (typeof v !== 'string' || !(values as string[]).includes(v)) throw new ConfigShapeError(field, `not one of ${values.join(', ')}`);
    return v as T;
  };

const list =
  <T>(item: Check<T>): Check<T[]> =>
  (v, field) => {
    if (!Array.isArray(v)) throw new ConfigShapeError(field, 'not a list');
    return v.map((x, i) => item(x, `${field}[${i}]`));
  };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

const record: Check<Record<string, string>> = (v, field) => {
  if (!isPlainObject(v)) throw new ConfigShapeError(field, 'not an object');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[str()(k, `${field} key`)] = str()(x, `${field}.${k}`);
  return out;
};

/** Builds a fresh object holding exactly the shape's fields: unknown fields are refused, not carried along. */
function object<T>(shape: Shape<T>): Check<T> {
  return (v, field) => {
    if (!isPlainObject(v)) throw new ConfigShapeError(field, 'not an object');
    const extra = Object.keys(v).filter((k) => !Object.prototype.hasOwnProperty.call(shape, k));
    if (extra.length > 0) throw new ConfigShapeError(field, `unknown field ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
    const out = {} as T;
    for (const key of Object.keys(shape) as (keyof T & string)[]) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) throw new ConfigShapeError(`${field}.${key}`, 'missing');
      out[key] = shape[key](v[key], `${field}.${key}`);
    }
    return out;
  };
}

const containerId = str({ pattern: HEX64, what: 'a 64-hex container id' });
const absolutePath = str({ pattern: /^\//, what: 'an absolute path' });
const confinedPath: Check<string> = (v, field) => {
  const p = absolutePath(v, field);
  if (p.split('/').includes('..')) throw new ConfigShapeError(field, `${JSON.stringify(p)} holds ".."`);
  return p;
};
const strings = list(str());
const envEntry = str({ pattern: /^[^=]+/, what: 'a KEY=VALUE environment entry' });

const restartPolicy = object<RestartPolicy>({
  name: oneOf('no', 'on-failure', 'always', 'unless-stopped'),
  maxRetries: int(0),
});

const attachment = object<NetworkAttachment>({
  network: str({ pattern: /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, what: 'a network name' }),
  staticIps: strings,
  staticMac: str(),
  aliases: strings,
});

const port = object<PortMapping>({
  hostIp: str(),
  hostPort: int(0, 65535),
  containerPort: int(1, 65535),
  protocol: oneOf('tcp', 'udp'),
  range: int(1, 65535),
});

const network = object<ContainerNetworkConfig>({
  mode: oneOf('none', 'host', 'bridge'),
  attachments: list(attachment),
  ports: list(port),
  dnsServers: strings,
  dnsSearch: strings,
  extraHosts: strings,
});

const mount = object<BindMount>({
  source: absolutePath,
  destination: confinedPath,
  readOnly: bool,
  options: strings,
});

const resources = object<Resources>({
  memory: int(0),
  cpus: (v, field) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigShapeError(field, 'not a number of CPUs, 0 or more');
    return v;
  },
  pidsLimit: int(0),
});

const containerConfig = object<ContainerConfig>({
  id: containerId,
  name: (v, field) => {
    const name = str()(v, field);
    try {
      validateName(name);
    } catch (err) {
      throw new ConfigShapeError(field, (err as Error).message);
    }
    return name;
  },
  image: str({ nonEmpty: true }),
  imageId: str({ pattern: HEX64, what: 'a 64-hex image id' }),
  entrypoint: strings,
  command: strings,
  env: list(envEntry),
  workingDir: absolutePath,
  user: str(),
  hostname: str({ pattern: /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,252})?$/, what: 'a hostname' }),
  labels: record,
  annotations: record,
  terminal: bool,
  stdin: bool,
  stopSignal: int(1, 64),
  stopTimeout: int(0),
  restartPolicy,
  autoRemove: bool,
  network,
  mounts: list(mount),
  resources,
  runtime: str({ pattern: /^[a-zA-Z0-9_.-]+$/, what: 'a runtime name' }),
  logDriver: oneOf('k8s-file', 'none'),
  logSizeMax: int(0),
  readOnly: bool,
  capAdd: strings,
  capDrop: strings,
  privileged: bool,
  dependencies: list(containerId),
  createdAt: (v, field) => {
    const s = str({ nonEmpty: true })(v, field);
    if (Number.isNaN(Date.parse(s))) throw new ConfigShapeError(field, `${JSON.stringify(s)} is not a date`);
    return s;
  },
});

/**
 * config.dump as core's ContainerConfig: every field present with its type and rules
 * (ids, names, paths, enums), no unknown fields. The result is a fresh object, so nothing
 * from the archive rides along unchecked.
 */
export function validateContainerConfig(value: unknown): ContainerConfig {
  return containerConfig(value, 'config');
}
