import type { ChildProcess } from 'node:child_process';
import { childProcess } from '@corral/core/lazy-builtin';
import type { Readable, Writable } from 'node:stream';
import { RuntimeError } from '@corral/core';

/** One message conmon writes on its sync or attach pipe: `{"data": N, "message": "..."}`. */
export interface SyncMessage {
  data: number;
  message?: string;
}

const SYNC_FD = 3;
const START_FD = 4;
const ATTACH_FD = 5;

/** A line-oriented reader of conmon's JSON messages on one pipe. */
class MessagePipe {
  private buffer = '';
  private readonly queue: SyncMessage[] = [];
  private waiter: { resolve: (m: SyncMessage) => void; reject: (e: Error) => void } | undefined;
  private ended: Error | undefined;

  constructor(
    stream: Readable,
    private readonly onEnd: () => Error,
  ) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.push(chunk));
    stream.on('end', () => this.finish());
    stream.on('close', () => this.finish());
    stream.on('error', () => this.finish());
  }

  next(): Promise<SyncMessage> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private push(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.deliver(parseMessage(line));
    }
  }

  private deliver(m: SyncMessage): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve(m);
    } else {
      this.queue.push(m);
    }
  }

  private finish(): void {
    if (this.ended) return;
    if (this.buffer.trim()) this.deliver(parseMessage(this.buffer.trim()));
    this.buffer = '';
    this.ended = this.onEnd();
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.ended);
  }
}

function parseMessage(line: string): SyncMessage {
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    const data = Number(v.data ?? v.pid ?? v.exit_code);
    return { data: Number.isFinite(data) ? data : -1, ...(typeof v.message === 'string' ? { message: v.message } : {}) };
  } catch {
    return { data: -1, message: `unparsable message from conmon: ${line}` };
  }
}

export interface LaunchOptions {
  conmonPath: string;
  args: string[];
  cwd: string;
  /** An attached exec: conmon reports on a third pipe once its attach socket listens. */
  attachPipe: boolean;
  /** What the messages are about, for errors ("container abc", "exec session def"). */
  what: string;
}

/**
 * A conmon being started. conmon blocks on the start pipe until `start()`, forks into
 * the background, then reports the container pid (or the runtime's error) on the
 * sync pipe; an exec later reports its exit code there too.
 */
export class ConmonLaunch {
  readonly child: ChildProcess;
  private readonly sync: MessagePipe;
  private readonly attach: MessagePipe | undefined;
  private stderr = '';
  private exitCode: number | null = null;

  constructor(private readonly opts: LaunchOptions) {
    const env: Record<string, string> = {
      _OCI_SYNCPIPE: String(SYNC_FD),
      _OCI_STARTPIPE: String(START_FD),
      PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    };
    if (opts.attachPipe) env._OCI_ATTACHPIPE = String(ATTACH_FD);
    if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
    if (process.env.HOME) env.HOME = process.env.HOME;
    this.child = childProcess().spawn(opts.conmonPath, opts.args, {
      cwd: opts.cwd,
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe', opts.attachPipe ? 'pipe' : 'ignore'],
    });
    this.child.on('error', (err) => {
      this.stderr += `cannot start ${opts.conmonPath}: ${err.message}`;
    });
    this.child.on('exit', (code) => {
      this.exitCode = code;
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (d: string) => {
      if (this.stderr.length < 8192) this.stderr += d;
    });
    const ended = (pipe: string) => () =>
      new RuntimeError(
        `conmon for ${opts.what} closed its ${pipe} pipe without reporting` +
          (this.stderr.trim() ? `: ${this.stderr.trim()}` : this.exitCode ? ` (exit status ${this.exitCode})` : ''),
        { details: { conmon: opts.conmonPath } },
      );
    this.sync = new MessagePipe(this.pipe(SYNC_FD) as Readable, ended('sync'));
    this.attach = opts.attachPipe ? new MessagePipe(this.pipe(ATTACH_FD) as Readable, ended('attach')) : undefined;
  }

  private pipe(fd: number): Readable | Writable {
    return (this.child.stdio as unknown as (Readable | Writable)[])[fd]!;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Lets conmon go on: first to create the container, for an attached exec then to run it. */
  start(): void {
    (this.pipe(START_FD) as Writable).write('0');
  }

  nextSync(): Promise<SyncMessage> {
    return this.sync.next();
  }

  attachReady(): Promise<SyncMessage> {
    if (!this.attach) return Promise.reject(new RuntimeError(`conmon for ${this.opts.what} has no attach pipe`));
    return this.attach.next();
  }

  /** Drops our ends of the pipes; conmon carries on in the background. */
  close(): void {
    for (const s of this.child.stdio) (s as Readable | Writable | null)?.destroy();
    this.child.unref();
  }
}

/** Bounds a promise by a deadline with a RuntimeError naming what took too long. */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RuntimeError(`${what} did not finish within ${ms / 1000}s`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
