import { PassThrough } from 'node:stream';
import {
  CorralError,
  ErrorCode,
  RuntimeError,
  type AttachEnd,
  type AttachOptions,
  type AttachStreams,
  type ExecConfig,
  type ExecStarted,
  type OciRuntime,
  type Resources,
  type RuntimeCheckpointOptions,
  type RuntimeCreateRequest,
  type RuntimeCreated,
  type RuntimeStatus,
  type TerminalSize,
} from '@corral/core';

/**
 * An in-memory OCI runtime for core's unit tests. A container's command scripts its
 * process: `exit N` exits with N when started; `echo ...` prints and exits 0;
 * `ignore-term` ignores SIGTERM; anything else runs until a terminating signal.
 * Exec commands: `exit N`, `notfound` (the runtime reports 127), `noexec` (126).
 */
interface FakeProcess {
  request: RuntimeCreateRequest;
  status: 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
  exitCode?: number;
  exitedAt?: string;
  pendingSignals: number[];
  conmonDead: boolean;
  waiters: (() => void)[];
  log: string[];
}

const TERMINATING = new Set([1, 2, 3, 6, 9, 10, 12, 13, 14, 15]);

export class FakeOciRuntime implements OciRuntime {
  readonly containers = new Map<string, FakeProcess>();
  /** Every call, in order: [operation, id, ...args]. */
  readonly calls: unknown[][] = [];
  private readonly failures = new Map<string, Error>();
  private readonly execCodes = new Map<string, number>();
  private nextPid = 1000;

  /** The next call of `op` throws `error` (once). */
  failNext(op: string, error: Error = new RuntimeError(`injected ${op} failure`)): void {
    this.failures.set(op, error);
  }

  /** Makes a running process exit now with `code`, as if it had ended by itself. */
  exitProcess(id: string, code: number): void {
    const p = this.get(id);
    this.exit(p, code);
  }

  /** Simulates conmon dying with the process: no exit file is ever written. */
  killConmon(id: string): void {
    const p = this.get(id);
    p.conmonDead = true;
    p.status = 'stopped';
    for (const w of p.waiters.splice(0)) w();
  }

  callsOf(op: string): unknown[][] {
    return this.calls.filter((c) => c[0] === op);
  }

  async create(request: RuntimeCreateRequest): Promise<RuntimeCreated> {
    this.record('create', request.config.id);
    if (this.containers.has(request.config.id)) {
      throw new RuntimeError(`container ${request.config.id} already exists in the runtime`);
    }
    const p: FakeProcess = {
      request,
      status: 'created',
      pid: this.nextPid++,
      pendingSignals: [],
      conmonDead: false,
      waiters: [],
      log: [],
    };
    this.containers.set(request.config.id, p);
    if (request.restoreFrom) p.status = 'running';
    return { pid: p.pid, conmonPid: p.pid + 100_000 };
  }

  async start(id: string): Promise<void> {
    this.record('start', id);
    const p = this.get(id);
    if (p.status !== 'created') throw new RuntimeError(`cannot start container ${id} in runtime state ${p.status}`);
    p.status = 'running';
    const [cmd, ...args] = [...p.request.config.entrypoint, ...p.request.config.command];
    if (cmd === 'exit') queueMicrotask(() => this.exit(p, Number(args[0] ?? 0)));
    if (cmd === 'echo') {
      p.log.push(args.join(' '));
      queueMicrotask(() => this.exit(p, 0));
    }
  }

  async kill(id: string, signal: number, all = false): Promise<void> {
    this.record('kill', id, signal, all);
    const p = this.get(id);
    if (p.status === 'stopped') throw new RuntimeError(`container ${id} is not running`);
    if (p.status === 'paused' && signal !== 9) {
      p.pendingSignals.push(signal);
      return;
    }
    this.deliver(p, signal);
  }

  async pause(id: string): Promise<void> {
    this.record('pause', id);
    const p = this.get(id);
    if (p.status !== 'running') throw new RuntimeError(`container ${id} is not running`);
    p.status = 'paused';
  }

  async resume(id: string): Promise<void> {
    this.record('resume', id);
    const p = this.get(id);
    if (p.status !== 'paused') throw new RuntimeError(`container ${id} is not paused`);
    p.status = 'running';
    for (const s of p.pendingSignals.splice(0)) this.deliver(p, s);
  }

  async delete(id: string, force: boolean): Promise<void> {
    this.record('delete', id, force);
    const p = this.containers.get(id);
    if (!p) return;
    if (p.status === 'running' && !force) throw new RuntimeError(`container ${id} is running`);
    this.containers.delete(id);
    for (const w of p.waiters.splice(0)) w();
  }

  async state(id: string): Promise<RuntimeStatus> {
    this.record('state', id);
    const p = this.containers.get(id);
    if (!p) return { status: 'unknown', pid: 0, error: `container ${id} does not exist in the runtime` };
    if (p.conmonDead) return { status: 'stopped', pid: 0, error: `conmon for container ${id} died; the exit code is unknown` };
    return {
      status: p.status,
      pid: p.status === 'stopped' ? 0 : p.pid,
      ...(p.exitCode !== undefined ? { exitCode: p.exitCode, exitedAt: p.exitedAt!, oomKilled: false } : {}),
    };
  }

  async waitExit(id: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<'exited' | 'timeout'> {
    const p = this.containers.get(id);
    if (!p || p.status === 'stopped') return 'exited';
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (r: 'exited' | 'timeout') => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => done('timeout');
      p.waiters.push(() => done('exited'));
      if (options.timeoutMs !== undefined) timer = setTimeout(() => done('timeout'), options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async attach(id: string, streams: AttachStreams, options: AttachOptions = {}): Promise<AttachEnd> {
    this.record('attach', id);
    const p = this.get(id);
    options.onReady?.();
    if (streams.stdin && streams.stdout) {
      streams.stdin.on('data', (chunk: Buffer) => streams.stdout!.write(chunk));
    }
    const ended = await this.waitExit(id, options.signal ? { signal: options.signal } : {});
    for (const line of p.log) streams.stdout?.write(`${line}\n`);
    // An abort is how a caller detaches from the fake.
    return ended === 'exited' ? { reason: 'exited' } : { reason: 'detached' };
  }

  async resize(id: string, size: TerminalSize): Promise<void> {
    this.record('resize', id, size);
    this.get(id);
  }

  async update(id: string, resources: Resources): Promise<void> {
    this.record('update', id, resources);
    this.get(id);
  }

  async exec(containerId: string, sessionId: string, config: ExecConfig, streams: AttachStreams | null): Promise<ExecStarted> {
    this.record('exec', containerId, sessionId, config.command);
    const p = this.get(containerId);
    if (p.status !== 'running') throw new RuntimeError(`container ${containerId} is not running`);
    const [cmd, ...args] = config.command;
    if (cmd === 'notfound') {
      throw new CorralError(ErrorCode.ExecNotFound, `executable file "${cmd}" not found in $PATH`);
    }
    if (cmd === 'noexec') throw new CorralError(ErrorCode.ExecCannotInvoke, `permission denied invoking ${cmd}`);
    const code = cmd === 'exit' ? Number(args[0] ?? 0) : 0;
    const pid = this.nextPid++;
    if (!streams) {
      this.execCodes.set(sessionId, code);
      return { pid };
    }
    if (cmd === 'echo') streams.stdout?.write(`${args.join(' ')}\n`);
    return { pid, exited: Promise.resolve(code) };
  }

  async execExitCode(_containerId: string, sessionId: string): Promise<number | undefined> {
    return this.execCodes.get(sessionId);
  }

  async execResize(containerId: string, sessionId: string, size: TerminalSize): Promise<void> {
    this.record('execResize', containerId, sessionId, size);
  }

  async execCleanup(containerId: string, sessionId: string): Promise<void> {
    this.record('execCleanup', containerId, sessionId);
    this.execCodes.delete(sessionId);
  }

  async checkpoint(id: string, options: RuntimeCheckpointOptions): Promise<void> {
    this.record('checkpoint', id, options);
    const p = this.get(id);
    if (!options.keepRunning) this.exit(p, 0);
  }

  /** A passthrough pair for tests that attach streams. */
  static streams(): { stdin: PassThrough; stdout: PassThrough; stderr: PassThrough } {
    return { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
  }

  private deliver(p: FakeProcess, signal: number): void {
    const [cmd] = [...p.request.config.entrypoint, ...p.request.config.command];
    if (signal === 15 && cmd === 'ignore-term') return;
    if (TERMINATING.has(signal)) this.exit(p, 128 + signal);
  }

  private exit(p: FakeProcess, code: number): void {
    if (p.status === 'stopped') return;
    p.status = 'stopped';
    p.exitCode = code;
    p.exitedAt = new Date().toISOString();
    for (const w of p.waiters.splice(0)) w();
  }

  private get(id: string): FakeProcess {
    const p = this.containers.get(id);
    if (!p) throw new RuntimeError(`container ${id} does not exist in the runtime`);
    return p;
  }

  private record(op: string, ...args: unknown[]): void {
    this.calls.push([op, ...args]);
    const failure = this.failures.get(op);
    if (failure) {
      this.failures.delete(op);
      throw failure;
    }
  }
}
