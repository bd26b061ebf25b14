import { open, stat } from 'node:fs/promises';
import { watch } from 'node:fs';
import { parseEventTime } from '../events/time.js';

/**
 * Reading conmon's k8s-file logs: one record a line, "<RFC3339Nano time> <stdout|stderr>
 * <F|P> <text>", where P marks a partial line continued by the next record.
 */
export interface LogRecord {
  time: string;
  timeNano: bigint;
  stream: 'stdout' | 'stderr';
  /** The text continues in the next record (no newline after it). */
  partial: boolean;
  text: string;
}

export function parseLogLine(line: string): LogRecord | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  const time = line.slice(0, a);
  let timeNano: bigint;
  try {
    timeNano = parseEventTime(time);
  } catch {
    return undefined;
  }
  return { time, timeNano, stream, partial: tag.startsWith('P'), text: c < 0 ? '' : line.slice(c + 1) };
}

export interface ReadLogOptions {
  since?: bigint;
  until?: bigint;
  /** Only the last N lines (records that end a line) of what exists now. */
  tail?: number;
  /** Keep reading as the file grows, until `done()` says the writer has finished. */
  follow?: boolean;
  done?: () => Promise<boolean>;
  signal?: AbortSignal;
}

/** The records of a log file, filtered; with `follow`, also those written later. */
export async function* readLog(path: string, options: ReadLogOptions = {}): AsyncGenerator<LogRecord> {
  const inRange = (r: LogRecord) =>
    (options.since === undefined || r.timeNano >= options.since) && (options.until === undefined || r.timeNano <= options.until);
  let position = 0;
  let pending = '';
  const readNew = async (): Promise<LogRecord[]> => {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const size = (await handle.stat()).size;
      if (size < position) position = 0; // truncated: start over
      if (size === position) return [];
      const buf = Buffer.alloc(size - position);
      await handle.read(buf, 0, buf.length, position);
      position = size;
      const text = pending + buf.toString('utf8');
      const lines = text.split('\n');
      pending = lines.pop() ?? '';
      return lines.map(parseLogLine).filter((r): r is LogRecord => r !== undefined && inRange(r));
    } finally {
      await handle.close();
    }
  };

  let first = await readNew();
  if (options.tail !== undefined && options.tail >= 0) first = lastLines(first, options.tail);
  yield* first;
  if (!options.follow) return;

  for (;;) {
    if (options.signal?.aborted) return;
    const finished = options.done ? await options.done() : false;
    yield* await readNew();
    if (finished) {
      // conmon may record the exit before it has drained the last output into the
      // log: read until the file has stopped growing for a moment.
      for (let quiet = 0; quiet < 2; ) {
        await changeOrTimeout(path, 50, options.signal);
        const more = await readNew();
        quiet = more.length === 0 ? quiet + 1 : 0;
        yield* more;
      }
      return;
    }
    await changeOrTimeout(path, 250, options.signal);
  }
}

/** The records that make up the last `n` whole lines. */
function lastLines(records: LogRecord[], n: number): LogRecord[] {
  if (n === 0) return [];
  let lines = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    if (!records[i]!.partial) lines++;
    if (lines > n) return records.slice(i + 1);
  }
  return records;
}

/** Resolves when the file changes, after `ms`, or on abort, whichever is first. */
function changeOrTimeout(path: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let watcher: ReturnType<typeof watch> | undefined;
    const done = () => {
      clearTimeout(timer);
      watcher?.close();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    stat(path).then(
      () => {
        try {
          watcher = watch(path, done);
          watcher.on('error', done);
        } catch {
          // the poll timer covers it
        }
      },
      () => undefined,
    );
  });
}
