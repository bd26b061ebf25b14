import fs from 'node:fs';
import type { Logger } from '@corral/core';
import { decodeHeader, type LogHeader } from './header.js';

const MIN_CHUNK = 256 * 1024;

type Generation = { fd: number; ino: number; header: LogHeader; length: number };

/**
 * A reading position in the event log that survives rotation: it holds the file
 * generation it reads open (a rotated-away generation stays readable through the
 * open descriptor), and when the path names a newer generation it finishes the old
 * one, then translates its logical offset into the new file via the header's base.
 *
 * pin() opens each new generation as soon as it is noticed, even while the consumer
 * is still busy with an older one: a slow consumer then loses nothing, because every
 * generation it will need stays open. Only a generation created and rotated away
 * between two looks at the path (half of maxSize written while this process did not
 * run at all) can be missed; the translation detects that and counts lostBytes.
 */
export class LogCursor {
  readonly #path: string;
  readonly #logger: Logger | undefined;
  #fd: number | undefined;
  #ino = 0;
  #header: LogHeader = { generation: 0, base: 0 };
  #headerLength = 0;
  /** Physical offset of the first byte not yet consumed (always a line start). */
  #pos = 0;
  #chunk = Buffer.allocUnsafe(MIN_CHUNK);
  /** Newer generations opened ahead of reading them, oldest first. */
  #pinned: Generation[] = [];
  /** Bytes of events that rotation discarded before this cursor read them. */
  lostBytes = 0;

  constructor(path: string, logger?: Logger) {
    this.#path = path;
    this.#logger = logger;
  }

  get isOpen(): boolean {
    return this.#fd !== undefined;
  }

  /** Logical offset of the next unread event in the stream of all events ever written. */
  get logicalOffset(): number {
    return this.#header.base + (this.#pos - this.#headerLength);
  }

  /** Opens the current generation at its first event; false when there is no log yet. */
  open(): boolean {
    const opened = this.#openCurrent();
    if (!opened) return false;
    this.#adopt(opened);
    this.#pos = this.#headerLength;
    return true;
  }

  /**
   * The complete lines appended since the last call (at most about one chunk), or []
   * at the end of the generation. A torn last line is left for the next call.
   */
  readLines(): string[] {
    if (this.#fd === undefined) return [];
    for (;;) {
      const n = fs.readSync(this.#fd, this.#chunk, 0, this.#chunk.length, this.#pos);
      if (n === 0) return [];
      const lastNl = this.#chunk.lastIndexOf(10, n - 1);
      if (lastNl < 0) {
        // A line longer than the chunk, or a write still landing: grow only if full.
        if (n < this.#chunk.length) return [];
        this.#chunk = Buffer.allocUnsafe(this.#chunk.length * 2);
        continue;
      }
      this.#pos += lastNl + 1;
      return this.#chunk.toString('utf8', 0, lastNl).split('\n');
    }
  }

  /** Whether a newer generation than the one being read exists. */
  rotated(): boolean {
    if (this.#fd === undefined) return false;
    if (this.#pinned.length > 0) return true;
    const ino = this.#currentIno();
    return ino !== undefined && ino !== this.#ino;
  }

  /** Opens the generation the path names now if it is new to this cursor. */
  pin(): void {
    if (this.#fd === undefined) return;
    const newest = this.#pinned.at(-1)?.ino ?? this.#ino;
    const ino = this.#currentIno();
    if (ino === undefined || ino === newest) return;
    const opened = this.#openCurrent();
    if (!opened) return;
    if (opened.ino === newest) fs.closeSync(opened.fd);
    else this.#pinned.push(opened);
  }

  /**
   * Moves to the generation the path names now. Call only after readLines() returned
   * [] following a true rotated(): the old generation is final once renamed away.
   */
  switchGeneration(): void {
    const opened = this.#pinned.shift() ?? this.#openCurrent();
    if (!opened) return;
    const logical = this.logicalOffset;
    const previous = this.#header.generation;
    this.#close();
    this.#adopt(opened);
    if (this.#header.generation <= previous) {
      // The log was recreated from scratch rather than rotated: read it from the start.
      this.#pos = this.#headerLength;
    } else if (logical < this.#header.base) {
      this.lostBytes += this.#header.base - logical;
      this.#logger?.warn(
        { path: this.#path, lostBytes: this.#header.base - logical, generation: this.#header.generation },
        'event follower fell behind more than a rotation keeps; skipped discarded events',
      );
      this.#pos = this.#headerLength;
    } else {
      this.#pos = this.#headerLength + (logical - this.#header.base);
    }
  }

  close(): void {
    this.#close();
    for (const g of this.#pinned.splice(0)) fs.closeSync(g.fd);
  }

  #currentIno(): number | undefined {
    try {
      return fs.statSync(this.#path).ino;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  #close(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }

  #adopt(opened: Generation): void {
    this.#fd = opened.fd;
    this.#ino = opened.ino;
    this.#header = opened.header;
    this.#headerLength = opened.length;
  }

  #openCurrent(): Generation | undefined {
    let fd: number;
    try {
      fd = fs.openSync(this.#path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const buf = Buffer.allocUnsafe(4096);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      // Generations are created whole by rename, so the header is always complete.
      const parsed = decodeHeader(buf.subarray(0, n), this.#path);
      if (!parsed) {
        fs.closeSync(fd);
        return undefined;
      }
      return { fd, ino: fs.fstatSync(fd).ino, ...parsed };
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }
}
