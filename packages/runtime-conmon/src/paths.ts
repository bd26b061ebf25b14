import { join } from 'node:path';
import { checkId } from './ids.js';

/** Where the plugin keeps one container's files; the directory is also the OCI bundle. */
export interface ContainerPaths {
  dir: string;
  spec: string;
  meta: string;
  pidFile: string;
  conmonPidFile: string;
  exitDir: string;
  exitFile: string;
  persistDir: string;
  oomFile: string;
  attach: string;
  ctl: string;
  log: string;
  execRoot: string;
}

export function containerPaths(runDir: string, id: string): ContainerPaths {
  checkId('container', id);
  const dir = join(runDir, 'containers', id);
  return {
    dir,
    spec: join(dir, 'config.json'),
    meta: join(dir, 'runtime.json'),
    pidFile: join(dir, 'pidfile'),
    conmonPidFile: join(dir, 'conmon.pid'),
    exitDir: join(dir, 'exit'),
    exitFile: join(dir, 'exit', id),
    persistDir: join(dir, 'persist'),
    oomFile: join(dir, 'persist', 'oom'),
    attach: join(dir, 'attach'),
    ctl: join(dir, 'ctl'),
    log: join(dir, 'ctr.log'),
    execRoot: join(dir, 'exec'),
  };
}

/** An exec session's files; conmon names the exit file after the container id. */
export interface ExecPaths {
  dir: string;
  processSpec: string;
  pidFile: string;
  conmonPidFile: string;
  exitDir: string;
  exitFile: string;
  persistDir: string;
  attach: string;
  ctl: string;
}

export function execPaths(ctr: ContainerPaths, containerId: string, sessionId: string): ExecPaths {
  checkId('exec session', sessionId);
  const dir = join(ctr.execRoot, sessionId);
  return {
    dir,
    processSpec: join(dir, 'process.json'),
    pidFile: join(dir, 'pidfile'),
    conmonPidFile: join(dir, 'conmon.pid'),
    exitDir: join(dir, 'exit'),
    exitFile: join(dir, 'exit', containerId),
    persistDir: join(dir, 'persist'),
    attach: join(dir, 'attach'),
    ctl: join(dir, 'ctl'),
  };
}
