/**
 * The event log as a file of JSON lines, safe for many writing processes and with a
 * rotation that followers cross without losing or repeating an event.
 *
 * Logical stream. Every event line ever written forms one endless byte stream; a
 * position in it is a logical offset. A log file is one *generation*: a header line
 * `{"corral-events":1,"generation":G,"base":B}` and then the stream's bytes from
 * logical offset B on. Physical offset p in generation G is logical B + (p - header).
 *
 * Writing. Each event is one write(2) of one whole line on an O_APPEND descriptor, so
 * concurrent appends never interleave. Writers hold a shared flock on `<log>.lock` (a
 * file that is never replaced) around "is my descriptor still the current generation?
 * write"; a writer whose descriptor is stale reopens before writing.
 *
 * Rotation. A writer that takes the file past maxSize takes the lock exclusively
 * (so no append is in flight), copies the newest half, cut at a line boundary, into
 * `<log>.rotate` with the header {generation: G+1, base: B + cut, kept}, and renames
 * it over the log. The old generation is final from that instant: every later append
 * goes to the new file. `kept` is how much generation G+1 took over from G; the next
 * rotation never cuts past it (in the steady state the half point is about there
 * anyway), so generation G+2 always still starts at or before the end of G.
 *
 * Following. A reader keeps its generation open (an unlinked file stays readable
 * through its descriptor). When the path names a new inode, it reads the old
 * generation to its end, computes its logical offset L there, and continues in the
 * new generation at physical header + (L - base'). Every event kept by the rotation
 * with logical offset >= L is exactly what it had not yet read: nothing lost, nothing
 * repeated. A follower opens each new generation as soon as it notices it (inotify on
 * the directory), however far behind its consumer is; thanks to `kept` it may even
 * miss one generation entirely. It loses events only when its process does not run
 * at all while two whole generations (about maxSize bytes) are written; LogCursor
 * detects and logs that (lostBytes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, StateStoreError, ErrorCode, type CorralEvent, type EventBackend, type EventReadOptions, type Logger } from '@corral/core';
import { eventMatcher } from '@corral/core/events/filter';
import { lazyRequire } from '@corral/core/lazy-builtin';
import { followDeadlineMs } from '@corral/core/events/time';
import { decodeEvent, encodeEvent, peekTime } from './codec.js';
import { decodeHeader, encodeHeader } from './header.js';
import { linePrefilter } from './line-prefilter.js';
import { LogCursor } from './log-cursor.js';
import { ChangeWaiter } from './change-waiter.js';

// fs-ext is loaded on first use: a command that writes or reads no event never pays
// for the addon's dlopen.
const fsExt = lazyRequire<typeof import('fs-ext')>(import.meta.url, 'fs-ext');
const flockSync = (fd: number, flags: 'ex' | 'sh' | 'un'): void => fsExt().flockSync(fd, flags);

export const DEFAULT_MAX_SIZE = 1024 * 1024;

export interface FileEventBackendOptions {
  /** The log file; `<path>.lock` and `<path>.rotate` live next to it. */
  path: string;
  /** Rotate when the file grows past this many bytes (default 1 MiB). */
  maxSize?: number;
  /** How often a follower looks for new events when no file-change notice comes. */
  pollIntervalMs?: number;
  logger?: Logger;
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export class FileEventBackend implements EventBackend {
  readonly path: string;
  readonly maxSize: number;
  readonly #pollMs: number;
  readonly #logger: Logger | undefined;
  #lockFd: number | undefined;
  #fd: number | undefined;
  #ino = -1;

  constructor(options: FileEventBackendOptions) {
    this.path = options.path;
    this.maxSize = options.maxSize ?? DEFAULT_MAX_SIZE;
    if (!Number.isSafeInteger(this.maxSize) || this.maxSize < 1024) {
      throw new InvalidArgumentError(`event log maxSize must be an integer >= 1024, got ${options.maxSize}`, {
        details: { path: options.path, maxSize: options.maxSize },
      });
    }
    this.#pollMs = options.pollIntervalMs ?? 100;
    this.#logger = options.logger;
  }

  async write(event: CorralEvent): Promise<void> {
    this.writeSync(event);
  }

  /** Appends one event; rotates afterwards when the file outgrew maxSize. */
  writeSync(event: CorralEvent): void {
    const line = Buffer.from(encodeEvent(event), 'utf8');
    let size: number;
    try {
      const lockFd = this.#lock();
      size = this.#appendLocked(lockFd, line);
    } catch (err) {
      throw new StateStoreError(ErrorCode.StateStore, `cannot write event ${event.action} ${event.id} to ${this.path}`, {
        cause: err,
      });
    }
    if (size > this.maxSize) this.rotate();
  }

  /**
   * Keeps the newest half of the log (see the module comment). Safe to call at any
   * time from any process; does nothing when the log is within maxSize.
   */
  rotate(): void {
    const lockFd = this.#lock();
    flockSync(lockFd, 'ex');
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.path, 'r');
      const size = fs.fstatSync(fd).size;
      if (size <= this.maxSize) return;
      const data = Buffer.allocUnsafe(size);
      let got = 0;
      while (got < size) {
        const n = fs.readSync(fd, data, got, size - got, got);
        if (n === 0) break;
        got += n;
      }
      const parsed = decodeHeader(data.subarray(0, got), this.path);
      if (!parsed) throw new StateStoreError(ErrorCode.StateCorrupt, `event log ${this.path} has no header line`);
      const body = data.subarray(parsed.length, got);
      // A torn last line (a writer died mid-write) is not part of the stream: drop it.
      const complete = body.subarray(0, body.lastIndexOf(10) + 1);
      const target = Math.ceil(complete.length / 2);
      const nl = target === 0 ? -1 : complete.indexOf(10, target - 1);
      let cut = target === 0 ? 0 : nl < 0 ? complete.length : nl + 1;
      // `kept` ends on a line boundary: it is where this generation's own appends began.
      if (parsed.header.kept !== undefined) cut = Math.min(cut, parsed.header.kept);
      const header = encodeHeader({
        generation: parsed.header.generation + 1,
        base: parsed.header.base + cut,
        kept: complete.length - cut,
      });
      const tmp = `${this.path}.rotate`;
      fs.writeFileSync(tmp, Buffer.concat([Buffer.from(header, 'utf8'), complete.subarray(cut)]), { mode: 0o600 });
      fs.renameSync(tmp, this.path);
      this.#logger?.debug({ path: this.path, generation: parsed.header.generation + 1, dropped: cut }, 'rotated event log');
    } catch (err) {
      if (err instanceof StateStoreError) throw err;
      throw new StateStoreError(ErrorCode.StateStore, `cannot rotate event log ${this.path}`, { cause: err });
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
      flockSync(lockFd, 'un');
    }
  }

  async *read(options: EventReadOptions = {}): AsyncIterable<CorralEvent> {
    const matches = eventMatcher(options);
    const prefilter = linePrefilter(options.filters);
    const { signal, follow, since, until } = options;
    const cursor = new LogCursor(this.path, this.#logger);
    let waiter: ChangeWaiter | undefined;
    const pin = (): void => {
      try {
        cursor.pin();
      } catch (err) {
        this.#logger?.warn({ err, path: this.path }, 'cannot open a new event log generation yet');
      }
    };
    if (follow) waiter = new ChangeWaiter(path.dirname(this.path), this.#pollMs, pin);
    let draining = false;
    try {
      for (;;) {
        if (signal?.aborted) return;
        if (!cursor.isOpen && !cursor.open()) {
          if (!follow) return;
        } else {
          const lines = cursor.readLines();
          if (follow) pin();
          if (lines.length > 0) {
            for (const line of lines) {
              if (signal?.aborted) return;
              if (line === '' || !prefilter(line)) continue;
              const t = peekTime(line);
              if (t !== undefined && ((since !== undefined && t < since) || (until !== undefined && t > until))) continue;
              const event = decodeEvent(line, this.path);
              if (matches(event)) yield event;
            }
            continue;
          }
          // At the end of this generation. Once the path names a newer one, this one
          // is final: read it to its end once more, then continue in the new one.
          if (draining) {
            cursor.switchGeneration();
            draining = false;
            continue;
          }
          if (cursor.rotated()) {
            draining = true;
            continue;
          }
          if (!follow) return;
        }
        const deadlineMs = followDeadlineMs(until);
        if (deadlineMs === 'passed') return;
        await waiter!.wait(signal, deadlineMs);
        pin();
      }
    } finally {
      cursor.close();
      waiter?.close();
    }
  }

  /** Closes the writer's descriptors; reads in progress keep their own. */
  close(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    if (this.#lockFd !== undefined) fs.closeSync(this.#lockFd);
    this.#fd = undefined;
    this.#lockFd = undefined;
    this.#ino = -1;
  }

  #lock(): number {
    if (this.#lockFd === undefined) {
      fs.mkdirSync(path.dirname(this.path), { recursive: true });
      this.#lockFd = fs.openSync(`${this.path}.lock`, 'a', 0o600);
    }
    return this.#lockFd;
  }

  /** Appends under the shared lock; returns the file size after the append. */
  #appendLocked(lockFd: number, line: Buffer): number {
    for (;;) {
      flockSync(lockFd, 'sh');
      try {
        const st = statOrUndefined(this.path);
        if (st) {
          if (st.ino !== this.#ino) this.#reopen(st.ino);
          const n = fs.writeSync(this.#fd!, line);
          if (n !== line.length) throw new Error(`short write: ${n} of ${line.length} bytes`);
          return st.size + n;
        }
      } finally {
        flockSync(lockFd, 'un');
      }
      this.#create(lockFd);
    }
  }

  #reopen(expectedIno: number): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
    const fd = fs.openSync(this.path, fs.constants.O_WRONLY | fs.constants.O_APPEND);
    this.#fd = fd;
    this.#ino = fs.fstatSync(fd).ino;
    if (this.#ino !== expectedIno) throw new Error(`event log ${this.path} changed while locked`);
  }

  /** Creates generation 0 whole (header included) unless another process just did. */
  #create(lockFd: number): void {
    flockSync(lockFd, 'ex');
    try {
      if (statOrUndefined(this.path)) return;
      const tmp = `${this.path}.rotate`;
      fs.writeFileSync(tmp, encodeHeader({ generation: 0, base: 0 }), { mode: 0o600 });
      fs.renameSync(tmp, this.path);
    } finally {
      flockSync(lockFd, 'un');
    }
  }
}
