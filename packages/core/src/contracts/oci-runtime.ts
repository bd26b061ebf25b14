import type { ContainerConfig, Resources } from '../types/container-config.js';
import type { ExecConfig } from '../types/exec.js';
import type { ImageConfig } from '../types/image.js';
import type { AttachEnd, AttachOptions, AttachStreams, TerminalSize } from '../types/streams.js';
import { token } from './token.js';

/** Files the network backend generated, bind-mounted into the container. */
export interface ContainerEtcFiles {
  hosts?: string;
  resolvConf?: string;
  hostname?: string;
}

export interface RuntimeCreateRequest {
  config: ContainerConfig;
  image: ImageConfig;
  /** The mounted root filesystem. */
  rootfs: string;
  /** The network namespace to join; empty: a new one (mode none) or the host's (mode host). */
  netnsPath: string;
  etcFiles: ContainerEtcFiles;
  /**
   * Where conmon writes the k8s-file log (unless the config's log driver is none); empty
   * leaves the place to the runtime. The engine's path outlives the runtime container
   * (cleanup) and goes with the container (remove), so logs stay readable after exit.
   */
  logPath: string;
  /** Restore from checkpoint images in this directory instead of starting fresh. */
  restoreFrom?: RuntimeRestoreOptions;
  /**
   * Settles once the namespace at `netnsPath` is fully set up (interfaces, routes,
   * firewall rules). A runtime whose create only joins the namespace (runc, crun: the
   * process runs nothing before start) may go ahead meanwhile; one that reads the
   * namespace at create (gVisor's runsc copies its interfaces into its own network
   * stack), or a restore (the processes run at once), waits for it first. A rejection
   * means the setup failed and is undone. Absent: the namespace is ready.
   */
  networkReady?: Promise<unknown>;
}

export interface RuntimeCreated {
  pid: number;
  conmonPid: number;
}

export interface RuntimeStatus {
  status: 'created' | 'running' | 'paused' | 'stopped' | 'unknown';
  pid: number;
  /** Known once the process has exited and its exit was recorded. */
  exitCode?: number;
  exitedAt?: string;
  oomKilled?: boolean;
  /** Why the status is what it is when something went wrong (conmon died). */
  error?: string;
}

export interface RuntimeCheckpointOptions {
  /** Where CRIU writes its images. */
  imagePath: string;
  /** Where CRIU writes its logs. */
  workPath: string;
  criuPath: string;
  keepRunning: boolean;
  tcpEstablished: boolean;
  fileLocks: boolean;
}

export interface RuntimeRestoreOptions {
  imagePath: string;
  workPath: string;
  criuPath: string;
  tcpEstablished: boolean;
  fileLocks: boolean;
}

export interface ExecStarted {
  pid: number;
  /** Present for an attached exec: resolves with the exit code once the stream is done. */
  exited?: Promise<number>;
}

/** An OCI runtime (runc, runsc, crun) driven through conmon. Ids are container ids. */
export interface OciRuntime {
  /** Creates the container (conmon + `runtime create`); the process waits to be started. */
  create(request: RuntimeCreateRequest): Promise<RuntimeCreated>;
  start(id: string): Promise<void>;
  /** Sends a signal (a number; names are parsed at the edge). */
  kill(id: string, signal: number, all?: boolean): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Deletes the runtime container and everything the runtime keeps for it. Idempotent. */
  delete(id: string, force: boolean): Promise<void>;
  /** The runtime's view, with the exit code once the exit was recorded. */
  state(id: string): Promise<RuntimeStatus>;
  /** Resolves 'exited' once the process has exited, 'timeout' after `timeoutMs`. */
  waitExit(id: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<'exited' | 'timeout'>;
  attach(id: string, streams: AttachStreams, options?: AttachOptions): Promise<AttachEnd>;
  resize(id: string, size: TerminalSize): Promise<void>;
  update(id: string, resources: Resources): Promise<void>;

  exec(containerId: string, sessionId: string, config: ExecConfig, streams: AttachStreams | null): Promise<ExecStarted>;
  /** The exit code of a detached session once it has ended; undefined while it runs. */
  execExitCode(containerId: string, sessionId: string): Promise<number | undefined>;
  execResize(containerId: string, sessionId: string, size: TerminalSize): Promise<void>;
  /** Removes what the runtime keeps for a session. Idempotent. */
  execCleanup(containerId: string, sessionId: string): Promise<void>;

  checkpoint(id: string, options: RuntimeCheckpointOptions): Promise<void>;
}
export const OciRuntime = token<OciRuntime>('corral.oci-runtime.v1');
