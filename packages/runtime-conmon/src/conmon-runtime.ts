import { execStartError } from './exec/errors.js';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CorralError,
  ErrorCode,
  RuntimeError,
  DEFAULT_DETACH_KEYS,
  parseDetachKeys,
  parseSignal,
  type AttachEnd,
  type AttachOptions,
  silentLogger,
  type AttachStreams,
  type ExecConfig,
  type ExecStarted,
  type Logger,
  type OciRuntime,
  type Resources,
  type RuntimeCheckpointOptions,
  type RuntimeCreateRequest,
  type RuntimeCreated,
  type RuntimeStatus,
  type TerminalSize,
} from '@corral/core';
import { writeResize } from './attach/ctl.js';
import { replayLog } from './attach/log-replay.js';
import { pumpAttach } from './attach/pump.js';
import { connectAttachSocket } from './attach/socket.js';
import { sweepCgroup } from './cgroup-sweep.js';
import type { ConmonRuntimeConfig } from './config.js';
import { conmonArgs } from './conmon/args.js';
import { readExitFile, waitForFile, type ExitRecord } from './conmon/exit-file.js';
import { ConmonLaunch, withDeadline } from './conmon/launch.js';
import { ExecRunner } from './exec/exec-runner.js';
import { readMeta, readMetaOrUndefined, writeMeta, type ContainerMeta } from './meta.js';
import { containerPaths, type ContainerPaths } from './paths.js';
import { findOurProcesses, isAlive, isOurProcess, killAndWait, readPidFile } from './proc.js';
import { isNotExist, runRuntime, runRuntimeChecked, runtimeMessage } from './runtime-cli.js';
import { RuntimeRegistry, findOnPath, type ResolvedRuntime } from './runtimes.js';
import { buildSpec, readHostInfo, type HostInfo } from './spec/index.js';
import { cgroupsPath } from './spec/cgroups.js';

/** The steps of create, in order; a test hook may stop the world after any of them. */
export type CreateStep = 'bundle-written' | 'conmon-spawned' | 'runtime-created';

export interface ConmonRuntimeOptions {
  /** The plugin's transient directory: container bundles and runtime state go here. */
  runDir: string;
  config?: ConmonRuntimeConfig;
  logger?: Logger;
  /**
   * Called after each step of create. If it throws, create stops right there without
   * undoing anything, as if the process had been killed (tests of crash recovery).
   */
  onCreateStep?: (step: CreateStep, id: string) => void | Promise<void>;
}

const CREATE_DEADLINE_MS = 120_000;
/** How long state() waits for a live conmon to write the exit file of a stopped container. */
const EXIT_FILE_GRACE_MS = 5_000;
const CONMON = 'conmon';

/**
 * OciRuntime on conmon and an OCI runtime (runc by default, runsc, crun where the
 * host allows). Each container has a directory under runDir: the bundle, conmon's
 * files and a small JSON of what later calls need, so any process can take over.
 */
export class ConmonRuntime implements OciRuntime {
  private readonly runDir: string;
  private readonly config: ConmonRuntimeConfig;
  private readonly logger: Logger;
  private readonly registry: RuntimeRegistry;
  private readonly execs: ExecRunner;
  private hostInfo: HostInfo | undefined;
  private conmonPath: string | undefined;

  constructor(private readonly opts: ConmonRuntimeOptions) {
    this.runDir = opts.runDir;
    this.config = opts.config ?? {};
    this.logger = opts.logger ?? silentLogger;
    this.registry = new RuntimeRegistry(this.config, (name) => join(this.runDir, 'runtimes', name));
    this.execs = new ExecRunner(this.runDir, () => this.host().lastCap, this.logger);
  }

  /** Checks that conmon and the default runtime are there (the plugin's start). */
  check(): void {
    this.conmon();
    this.registry.resolve();
  }

  async create(req: RuntimeCreateRequest): Promise<RuntimeCreated> {
    const { config } = req;
    const id = config.id;
    const paths = containerPaths(this.runDir, id);
    const rt = this.registry.resolve(config.runtime);
    const runtime: ResolvedRuntime = { ...rt, globalArgs: [...rt.globalArgs, ...networkFlags(rt, config.network.mode)] };
    if (existsSync(paths.meta)) throw new RuntimeError(`container ${id} already exists in the OCI runtime`, { details: { id } });
    if (req.restoreFrom && !existsSync(req.restoreFrom.criuPath)) {
      throw new RuntimeError(`cannot restore container ${id}: CRIU not found at ${req.restoreFrom.criuPath}`, { details: { id } });
    }
    const conmonPath = this.conmon();
    const exitCommand = this.exitCommand(id);
    // Everything that can reject the input runs before anything is written.
    const spec = buildSpec(req, this.host());
    // runc and crun only join the namespace at create, so the network may still be
    // coming up; runsc copies the interfaces into its own stack when its sandbox boots,
    // and a restore runs the processes at once: those wait for it.
    if (req.networkReady && (runtime.kind === 'runsc' || runtime.kind === 'other' || req.restoreFrom)) await req.networkReady;

    mkdirSync(paths.exitDir, { recursive: true });
    mkdirSync(paths.persistDir, { recursive: true });
    mkdirSync(runtime.globalArgs[runtime.globalArgs.indexOf('--root') + 1]!, { recursive: true });
    writeFileSync(paths.spec, JSON.stringify(spec));
    const meta: ContainerMeta = {
      id,
      name: config.name || id,
      runtime,
      conmonPath,
      spawnPid: 0,
      conmonPid: 0,
      pid: 0,
      terminal: config.terminal,
      stdin: config.stdin,
      logPath: config.logDriver === 'none' ? '' : req.logPath || paths.log,
      rootfs: req.rootfs,
      user: config.user,
      capAdd: config.capAdd,
      capDrop: config.capDrop,
      createdAt: new Date().toISOString(),
    };
    writeMeta(paths.meta, meta);

    let crashed = false;
    const step = async (s: CreateStep) => {
      try {
        await this.opts.onCreateStep?.(s, id);
      } catch (err) {
        crashed = true;
        throw err;
      }
    };
    try {
      await step('bundle-written');
      const launch = new ConmonLaunch({
        conmonPath,
        cwd: paths.dir,
        attachPipe: false,
        what: `container ${id}`,
        args: conmonArgs({
          containerId: id,
          uuid: id,
          name: meta.name,
          runtimePath: runtime.path,
          runtimeArgs: runtime.globalArgs,
          bundle: paths.dir,
          pidFile: paths.pidFile,
          conmonPidFile: paths.conmonPidFile,
          exitDir: paths.exitDir,
          persistDir: paths.persistDir,
          logPath: meta.logPath,
          logSizeMax: config.logSizeMax || this.config.logSizeMax || 0,
          terminal: config.terminal,
          stdin: config.stdin,
          ...(exitCommand ? { exitCommand } : {}),
          ...(req.restoreFrom ? { restore: req.restoreFrom } : {}),
        }),
      });
      try {
        meta.spawnPid = launch.pid;
        writeMeta(paths.meta, meta);
        await step('conmon-spawned');
        launch.start();
        const msg = await withDeadline(launch.nextSync(), CREATE_DEADLINE_MS, `${runtime.name} create of container ${id}`);
        if (msg.data < 0) {
          const message = runtimeMessage(msg.message ?? '') || 'no message';
          // runc checks the command at create: its exec failures become podman's 126/127.
          if (/exec: "/.test(message)) throw execStartError(message, id, [...config.entrypoint, ...config.command]);
          throw new RuntimeError(`${runtime.name} create of container ${id} failed: ${message}`, {
            details: { id, runtime: runtime.name },
          });
        }
        meta.pid = msg.data;
        meta.conmonPid = readPidFile(paths.conmonPidFile);
        // A restore comes back running; a create waits for start.
        meta.status = req.restoreFrom ? 'running' : 'created';
        writeMeta(paths.meta, meta);
      } finally {
        launch.close();
      }
      await step('runtime-created');
      this.logger.debug({ id, pid: meta.pid, conmonPid: meta.conmonPid, runtime: runtime.name }, 'container created');
      return { pid: meta.pid, conmonPid: meta.conmonPid };
    } catch (err) {
      if (!crashed) {
        await this.delete(id, true).catch((e) => this.logger.warn({ err: e, id }, 'cleanup after a failed create failed'));
      }
      throw err;
    }
  }

  async start(id: string): Promise<void> {
    const meta = this.meta(id);
    await runRuntimeChecked(meta.runtime, 'start', id, ['start', id]);
    this.recordStatus(meta, 'running');
  }

  async kill(id: string, signal: number, all = false): Promise<void> {
    const n = parseSignal(signal);
    const meta = this.meta(id);
    try {
      await runRuntimeChecked(meta.runtime, 'kill', id, ['kill', ...(all ? ['--all'] : []), id, String(n)]);
    } catch (err) {
      // The process died between the caller's look and the signal, and conmon has not
      // written the exit file yet: nothing is left to signal, which is what was wanted.
      // (Once the exit is recorded, a kill is the caller's mistake and stays an error.)
      if (this.diedUnrecorded(meta)) return;
      throw err;
    }
  }

  async pause(id: string): Promise<void> {
    const meta = this.meta(id);
    await runRuntimeChecked(meta.runtime, 'pause', id, ['pause', id]);
    this.recordStatus(meta, 'paused');
  }

  async resume(id: string): Promise<void> {
    const meta = this.meta(id);
    await runRuntimeChecked(meta.runtime, 'resume', id, ['resume', id]);
    this.recordStatus(meta, 'running');
  }

  async delete(id: string, force: boolean): Promise<void> {
    const paths = containerPaths(this.runDir, id);
    if (!existsSync(paths.dir)) return;
    const meta = readMetaOrUndefined(paths.meta);
    if (meta) {
      if (!force) {
        const st = await this.runtimeState(meta, id);
        if (st && (st.status === 'running' || st.status === 'paused') && !existsSync(paths.exitFile)) {
          throw new RuntimeError(`cannot delete container ${id}: it is ${st.status} (force needed)`, { details: { id, status: st.status } });
        }
      }
      this.execs.killAll(id);
      // After an exit is recorded conmon is running the exit command: leave it be.
      if (!existsSync(paths.exitFile)) await this.killConmon(meta, paths);
      const r = await runRuntime(meta.runtime, ['delete', '--force', id]);
      if (r.exitCode !== 0 && !isNotExist(r.stderr)) {
        throw new RuntimeError(`${meta.runtime.name} delete of container ${id} failed: ${runtimeMessage(r.stderr)}`, { details: { id } });
      }
      const left = await sweepCgroup(cgroupsPath(id));
      if (left.length) this.logger.warn({ id, cgroups: left }, 'cgroups of a deleted container are still busy');
    }
    rmSync(paths.dir, { recursive: true, force: true, maxRetries: 3 });
  }

  async state(id: string): Promise<RuntimeStatus> {
    const paths = containerPaths(this.runDir, id);
    const meta = readMetaOrUndefined(paths.meta);
    if (!meta) return { status: 'unknown', pid: 0, error: `container ${id} does not exist in the OCI runtime` };
    let exit = readExitFile(paths.exitFile);
    if (exit) return this.stopped(paths, exit);

    const conmonPid = meta.conmonPid || readPidFile(paths.conmonPidFile);
    // conmon and the process alive, no exit file: the process is as this plugin last
    // left it, so runc need not be asked. A process just dead goes the long way, which
    // waits for conmon's exit file.
    if (meta.status && isAlive(conmonPid) && isAlive(meta.pid)) return { status: meta.status, pid: meta.pid };
    const st = await this.runtimeState(meta, id);
    if (st === undefined || st.status === 'stopped') {
      if (isAlive(conmonPid)) {
        await waitForFile(paths.exitDir, id, { timeoutMs: EXIT_FILE_GRACE_MS, monitorAlive: () => isAlive(conmonPid), monitorCheckMs: 100 });
      }
      exit = readExitFile(paths.exitFile);
      if (exit) return this.stopped(paths, exit);
      if (st === undefined && !conmonPid) {
        return { status: 'unknown', pid: 0, error: `container ${id} was never fully created in ${meta.runtime.name}` };
      }
      return { status: 'stopped', pid: 0, error: conmonDied(id, conmonPid) };
    }
    if (!isAlive(conmonPid)) {
      // Nothing monitors the process any more: no log, no exit code. End it rather
      // than leave it running unseen.
      await this.killUnmonitored(meta, id, st.status);
      return { status: 'stopped', pid: 0, error: `${conmonDied(id, conmonPid)}; the container was killed` };
    }
    return { status: st.status, pid: st.pid };
  }

  async waitExit(id: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<'exited' | 'timeout'> {
    const paths = containerPaths(this.runDir, id);
    const meta = readMetaOrUndefined(paths.meta);
    if (!meta) return 'exited';
    const conmonPid = meta.conmonPid || readPidFile(paths.conmonPidFile);
    return waitForFile(paths.exitDir, id, { ...options, monitorAlive: () => isAlive(conmonPid) });
  }

  async attach(id: string, streams: AttachStreams, options: AttachOptions = {}): Promise<AttachEnd> {
    const paths = containerPaths(this.runDir, id);
    const meta = this.meta(id);
    const detachKeys = parseDetachKeys(options.detachKeys ?? DEFAULT_DETACH_KEYS);
    if (existsSync(paths.exitFile)) {
      if (options.logs && meta.logPath) await replayLog(meta.logPath, streams);
      options.onReady?.();
      return { reason: 'exited' };
    }
    const sock = await connectAttachSocket(paths.attach, `container ${id}`);
    if (options.logs && meta.logPath) {
      // Hold live output back until the log has been replayed.
      const held: Buffer[] = [];
      const hold = (b: Buffer) => held.push(b);
      sock.on('data', hold);
      await replayLog(meta.logPath, streams);
      sock.off('data', hold);
      const end = pumpAttach(sock, streams, { detachKeys, forwardStdin: meta.stdin, ...(options.signal ? { signal: options.signal } : {}) });
      for (const b of held) sock.emit('data', b);
      options.onReady?.();
      return end;
    }
    const end = pumpAttach(sock, streams, { detachKeys, forwardStdin: meta.stdin, ...(options.signal ? { signal: options.signal } : {}) });
    options.onReady?.();
    return end;
  }

  async resize(id: string, size: TerminalSize): Promise<void> {
    const paths = containerPaths(this.runDir, id);
    this.meta(id);
    writeResize(paths.ctl, size, `container ${id}`);
  }

  logPath(id: string): string {
    const paths = containerPaths(this.runDir, id);
    const meta = readMetaOrUndefined(paths.meta);
    return meta ? meta.logPath : paths.log;
  }

  async update(id: string, resources: Resources): Promise<void> {
    const meta = this.meta(id);
    if (meta.runtime.kind === 'runsc') {
      throw new CorralError(ErrorCode.NotSupported, `cannot update the resources of container ${id}: runsc has no update command`, {
        details: { id, runtime: meta.runtime.name },
      });
    }
    const args = ['update'];
    args.push('--memory', resources.memory > 0 ? String(Math.floor(resources.memory)) : '-1');
    args.push('--cpu-period', '100000', '--cpu-quota', resources.cpus > 0 ? String(Math.round(resources.cpus * 100_000)) : '-1');
    if (resources.pidsLimit > 0) args.push('--pids-limit', String(Math.floor(resources.pidsLimit)));
    else args.push('--pids-limit', '-1');
    await runRuntimeChecked(meta.runtime, 'update', id, [...args, id]);
  }

  exec(containerId: string, sessionId: string, config: ExecConfig, streams: AttachStreams | null): Promise<ExecStarted> {
    return this.execs.exec(containerId, sessionId, config, streams);
  }

  execExitCode(containerId: string, sessionId: string): Promise<number | undefined> {
    return this.execs.execExitCode(containerId, sessionId);
  }

  execResize(containerId: string, sessionId: string, size: TerminalSize): Promise<void> {
    return this.execs.execResize(containerId, sessionId, size);
  }

  execCleanup(containerId: string, sessionId: string): Promise<void> {
    return this.execs.execCleanup(containerId, sessionId);
  }

  async checkpoint(id: string, options: RuntimeCheckpointOptions): Promise<void> {
    const meta = this.meta(id);
    if (!existsSync(options.criuPath)) {
      throw new RuntimeError(`cannot checkpoint container ${id}: CRIU not found at ${options.criuPath}`, {
        details: { id, criuPath: options.criuPath },
      });
    }
    await runRuntimeChecked(meta.runtime, 'checkpoint', id, checkpointArgs(meta.runtime, id, options));
  }

  private meta(id: string): ContainerMeta {
    return readMeta(containerPaths(this.runDir, id).meta, id);
  }

  private host(): HostInfo {
    return (this.hostInfo ??= readHostInfo());
  }

  private conmon(): string {
    if (this.conmonPath) return this.conmonPath;
    const path = findOnPath(this.config.conmonPath || CONMON);
    if (!path) throw new RuntimeError(`conmon not found${this.config.conmonPath ? ` at ${this.config.conmonPath}` : ' on PATH'}`);
    return (this.conmonPath = path);
  }

  private exitCommand(id: string): string[] | undefined {
    const cmd = this.config.exitCommand;
    if (!cmd || cmd.length === 0) return undefined;
    const program = findOnPath(cmd[0]!);
    if (!program) throw new RuntimeError(`exit command ${cmd[0]} not found`, { details: { exitCommand: cmd } });
    return [program, ...cmd.slice(1), id];
  }

  private stopped(paths: ContainerPaths, exit: ExitRecord): RuntimeStatus {
    return { status: 'stopped', pid: 0, exitCode: exit.code, exitedAt: exit.at, oomKilled: existsSync(paths.oomFile) };
  }

  /**
   * The container's process is dead but conmon has written no exit file for it yet. A
   * record without a pid (a create that died before runc reported one) is no such case.
   */
  private diedUnrecorded(meta: ContainerMeta): boolean {
    return meta.pid > 0 && !isAlive(meta.pid) && !existsSync(containerPaths(this.runDir, meta.id).exitFile);
  }

  private recordStatus(meta: ContainerMeta, status: NonNullable<ContainerMeta['status']>): void {
    writeMeta(containerPaths(this.runDir, meta.id).meta, { ...meta, status });
  }

  /** `runtime state`: undefined when the runtime does not know the container. */
  private async runtimeState(meta: ContainerMeta, id: string): Promise<{ status: 'created' | 'running' | 'paused' | 'stopped'; pid: number } | undefined> {
    const r = await runRuntime(meta.runtime, ['state', id]);
    if (r.exitCode !== 0) {
      if (isNotExist(r.stderr)) return undefined;
      throw new RuntimeError(`${meta.runtime.name} state of container ${id} failed: ${runtimeMessage(r.stderr)}`, { details: { id } });
    }
    const parsed = JSON.parse(r.stdout) as { status: string; pid?: number };
    const status = parsed.status === 'creating' ? 'created' : parsed.status;
    if (status !== 'created' && status !== 'running' && status !== 'paused' && status !== 'stopped') {
      throw new RuntimeError(`${meta.runtime.name} reports unknown status "${parsed.status}" for container ${id}`);
    }
    return { status, pid: parsed.pid ?? 0 };
  }

  private async killUnmonitored(meta: ContainerMeta, id: string, status: string): Promise<void> {
    const r = await runRuntime(meta.runtime, ['kill', '--all', id, 'KILL']);
    if (r.exitCode !== 0) this.logger.warn({ id, stderr: r.stderr }, 'cannot kill an unmonitored container');
    // A frozen process only dies once thawed.
    if (status === 'paused') await runRuntime(meta.runtime, ['resume', id]);
  }

  /**
   * Kills the container's conmon (the one we spawned, the monitor) and waits until it
   * is gone. After a crash mid-create the monitor may have forked unseen and still be
   * running `runtime create`: every process that names the bundle goes too.
   */
  private async killConmon(meta: ContainerMeta, paths: ContainerPaths): Promise<void> {
    const pids = new Set(
      [meta.spawnPid, meta.conmonPid, readPidFile(paths.conmonPidFile)].filter((p) => p > 0 && isOurProcess(p, CONMON, paths.dir)),
    );
    if (!meta.conmonPid) for (const p of findOurProcesses('', paths.dir)) pids.add(p);
    const left = await killAndWait(pids);
    if (left.length) this.logger.warn({ id: meta.id, pids: left }, 'processes of a deleted container did not die');
  }
}

function conmonDied(id: string, conmonPid: number): string {
  return `conmon${conmonPid ? ` (pid ${conmonPid})` : ''} monitoring container ${id} died without recording an exit code`;
}

/** runsc sets up networking itself: it must be told when there is none, or to use the host's. */
function networkFlags(rt: ResolvedRuntime, mode: string): string[] {
  if (rt.kind !== 'runsc') return [];
  if (mode === 'none') return ['--network=none'];
  if (mode === 'host') return ['--network=host'];
  return [];
}

export function checkpointArgs(rt: Pick<ResolvedRuntime, 'kind'>, id: string, o: RuntimeCheckpointOptions): string[] {
  if (rt.kind === 'runsc') {
    return ['checkpoint', '--image-path', o.imagePath, ...(o.keepRunning ? ['--leave-running'] : []), id];
  }
  return [
    '--criu', o.criuPath,
    'checkpoint',
    '--image-path', o.imagePath,
    '--work-path', o.workPath,
    ...(o.keepRunning ? ['--leave-running'] : []),
    ...(o.tcpEstablished ? ['--tcp-established'] : []),
    ...(o.fileLocks ? ['--file-locks'] : []),
    id,
  ];
}
