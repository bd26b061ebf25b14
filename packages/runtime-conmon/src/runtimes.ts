import { accessSync, constants, statSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join } from 'node:path';
import { CorralError, ErrorCode, InvalidArgumentError, RuntimeError } from '@corral/core';
import type { ConmonRuntimeConfig } from './config.js';
import { cgroupLayout, type CgroupLayout } from './host-cgroups.js';

export type RuntimeKind = 'runc' | 'runsc' | 'crun' | 'other';

/** A runtime ready to be called: its binary, its kind and the global flags every call gets. */
export interface ResolvedRuntime {
  name: string;
  kind: RuntimeKind;
  path: string;
  /** Global flags: the configured ones, then `--root` (a private state directory). */
  globalArgs: string[];
}

const KNOWN: RuntimeKind[] = ['runc', 'runsc', 'crun'];

/** Finds a program on PATH; undefined when absent. */
export function findOnPath(name: string, pathEnv = process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'): string | undefined {
  if (isAbsolute(name)) return isExecutable(name) ? name : undefined;
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * stat first, without throwing for a missing file: a failed accessSync builds an Error
 * with a stack, and a PATH of a dozen entries made this ~4 ms of every command. Other
 * failures (a PATH entry that is a file, a directory we may not search) still throw, and
 * mean "not here" too. access(2) then confirms a hit.
 */
function isExecutable(path: string): boolean {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st?.isFile() || (st.mode & 0o111) === 0) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Picks the runtime for a container: its own choice, else the engine default, else
 * runc. crun is refused on hybrid cgroup hosts, where it cannot create containers.
 */
export class RuntimeRegistry {
  private layout: CgroupLayout | undefined;

  constructor(
    private readonly config: ConmonRuntimeConfig,
    private readonly rootDir: (name: string) => string,
  ) {}

  get defaultName(): string {
    return this.config.defaultRuntime || 'runc';
  }

  resolve(requested?: string): ResolvedRuntime {
    const name = requested || this.defaultName;
    const def = this.config.runtimes?.[name];
    if (!def && !KNOWN.includes(name as RuntimeKind)) {
      const known = [...new Set([...KNOWN, ...Object.keys(this.config.runtimes ?? {})])].join(', ');
      throw new InvalidArgumentError(`unknown OCI runtime "${name}" (known: ${known})`, { details: { runtime: name } });
    }
    const path = def?.path ? findOnPath(def.path) : findOnPath(name);
    if (!path) {
      throw new RuntimeError(`OCI runtime "${name}" not found${def?.path ? ` at ${def.path}` : ' on PATH'}`, { details: { runtime: name } });
    }
    const kind = kindOf(name, path);
    if (kind === 'crun') this.refuseCrunOnHybrid(name);
    return { name, kind, path, globalArgs: [...(def?.flags ?? []), '--root', this.rootDir(name)] };
  }

  private refuseCrunOnHybrid(name: string): void {
    this.layout ??= cgroupLayout();
    if (this.layout === 'hybrid') {
      throw new CorralError(
        ErrorCode.RuntimeError,
        `OCI runtime "${name}" (crun) cannot run containers on this host: its cgroups are in hybrid mode ` +
          '(v1 controllers plus a v2 hierarchy at /sys/fs/cgroup/unified), which crun refuses ' +
          '("cgroups in hybrid mode not supported"); use runc or runsc here',
        { details: { runtime: name, cgroups: 'hybrid' } },
      );
    }
  }
}

function kindOf(name: string, path: string): RuntimeKind {
  for (const k of KNOWN) if (name === k || basename(path) === k) return k;
  return 'other';
}
