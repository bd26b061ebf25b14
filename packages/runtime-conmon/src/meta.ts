import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { RuntimeError } from '@corral/core';
import type { ResolvedRuntime } from './runtimes.js';

/**
 * What the plugin remembers about a container, on disk in its directory: any later
 * process (the CLI, the exit command's cleanup) drives the container from it.
 */
export interface ContainerMeta {
  id: string;
  name: string;
  runtime: ResolvedRuntime;
  conmonPath: string;
  /** The conmon we spawned (it forks the monitor); kept so a crash mid-create can be undone. */
  spawnPid: number;
  /** The monitor itself, from its pid file; 0 until known. */
  conmonPid: number;
  pid: number;
  terminal: boolean;
  stdin: boolean;
  /** Empty when logging is off. */
  logPath: string;
  rootfs: string;
  /** The user as configured ("" for the image's or root), resolved again for execs. */
  user: string;
  capAdd: string[];
  capDrop: string[];
  createdAt: string;
  /**
   * What this plugin last made of the process (create, start, pause, resume). While
   * conmon lives and has written no exit file, this is the answer to state(), without
   * a `runtime state` call. Absent in metas of older versions: then runc is asked.
   */
  status?: 'created' | 'running' | 'paused';
}

export function writeMeta(path: string, meta: ContainerMeta): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(meta));
  renameSync(tmp, path);
}

export function readMetaOrUndefined(path: string): ContainerMeta | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ContainerMeta;
  } catch {
    return undefined;
  }
}

export function readMeta(path: string, id: string): ContainerMeta {
  const meta = readMetaOrUndefined(path);
  if (!meta) {
    throw new RuntimeError(`container ${id} does not exist in the OCI runtime`, { details: { id } });
  }
  return meta;
}
