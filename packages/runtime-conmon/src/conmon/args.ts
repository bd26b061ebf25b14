import type { RuntimeRestoreOptions } from '@corral/core';

export interface ConmonArgsOptions {
  containerId: string;
  /** conmon's -u: the container id for a container, the session id for an exec. */
  uuid: string;
  name: string;
  runtimePath: string;
  /** The runtime's global flags (`--root ...`), passed through with --runtime-arg. */
  runtimeArgs: string[];
  /** The OCI bundle; for an exec, the session directory (conmon puts its sockets there). */
  bundle: string;
  pidFile: string;
  conmonPidFile: string;
  exitDir: string;
  persistDir: string;
  /** A k8s-file log path; empty for no log. */
  logPath: string;
  /** Bytes; 0 for no cap. */
  logSizeMax: number;
  terminal: boolean;
  stdin: boolean;
  /** Absolute program followed by its arguments; conmon appends nothing itself. */
  exitCommand?: string[];
  exec?: { processSpec: string; attach: boolean };
  restore?: RuntimeRestoreOptions;
}

/**
 * conmon's command line (API version 1), in the shape podman gives it. The attach
 * socket and the ctl FIFO go in the bundle directory (--full-attach), so long run
 * directories never hit the 108-byte socket path limit through a symlink.
 */
export function conmonArgs(o: ConmonArgsOptions): string[] {
  const args = [
    '--api-version', '1',
    '-c', o.containerId,
    '-u', o.uuid,
    '-n', o.name,
    '-r', o.runtimePath,
    '-b', o.bundle,
    '-p', o.pidFile,
    '-P', o.conmonPidFile,
    '--exit-dir', o.exitDir,
    '--persist-dir', o.persistDir,
    '--socket-dir-path', o.bundle,
    '--full-attach',
    '-l', o.logPath ? `k8s-file:${o.logPath}` : 'none',
  ];
  if (o.logPath && o.logSizeMax > 0) args.push('--log-size-max', String(Math.floor(o.logSizeMax)));
  if (o.terminal) args.push('-t');
  if (o.stdin) args.push('-i');
  // A terminal's stdin outlives its clients, so a detached `run -it` can be attached
  // again; without a terminal the end of a client's stdin is the process's EOF.
  if (o.stdin && o.terminal) args.push('--leave-stdin-open');
  for (const a of o.runtimeArgs) args.push('--runtime-arg', a);
  if (o.restore) {
    // runc restore takes its CRIU binary as a global flag, the rest as restore options.
    args.push('--runtime-arg', '--criu', '--runtime-arg', o.restore.criuPath);
    args.push('--restore', o.restore.imagePath);
    args.push('--runtime-opt', `--work-path=${o.restore.workPath}`);
    if (o.restore.tcpEstablished) args.push('--runtime-opt', '--tcp-established');
    if (o.restore.fileLocks) args.push('--runtime-opt', '--file-locks');
  }
  if (o.exec) {
    args.push('--exec', '--exec-process-spec', o.exec.processSpec);
    if (o.exec.attach) args.push('--exec-attach');
  }
  if (o.exitCommand && o.exitCommand.length > 0) {
    const [program, ...rest] = o.exitCommand;
    args.push('--exit-command', program!);
    for (const a of rest) args.push('--exit-command-arg', a);
  }
  return args;
}
