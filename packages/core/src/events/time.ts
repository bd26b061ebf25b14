/**
 * Event times are nanoseconds since the epoch as bigints: a double cannot hold them
 * exactly, and `corral events --since` must compare against what was written.
 */
import { InvalidArgumentError } from '../errors.js';

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

// Date.now() alone has only millisecond resolution; anchoring the monotonic clock to
// it once gives nanosecond-resolution wall times that never go backwards in a process.
const anchorWall = BigInt(Date.now()) * NS_PER_MS;
const anchorMono = process.hrtime.bigint();

/** The current wall-clock time in nanoseconds since the epoch. */
export function nowNano(): bigint {
  return anchorWall + (process.hrtime.bigint() - anchorMono);
}

/**
 * How long a follower may wait for new events: without `until`, as long as it takes
 * (undefined); once `until` has passed, 'passed'; otherwise the milliseconds left,
 * rounded up so that the wait ends after `until`, not just before it.
 */
export function followDeadlineMs(until: bigint | undefined): number | undefined | 'passed' {
  if (until === undefined) return undefined;
  const left = until - nowNano();
  return left < 0n ? 'passed' : Number(left / NS_PER_MS) + 1;
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Parses a Go-style duration ("10m", "1h30m", "1.5h", "300ms") into nanoseconds, or
 * returns undefined when `value` is not one.
 */
export function parseDuration(value: string): bigint | undefined {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  if (value === '' || value === '0') return value === '0' ? 0n : undefined;
  let total = 0n;
  let pos = 0;
  while (pos < value.length) {
    re.lastIndex = pos;
    const m = re.exec(value);
    if (!m) return undefined;
    const [whole, frac = ''] = m[1]!.split('.');
    const unit = BigInt(UNIT_NS[m[2]!]!);
    total += BigInt(whole || '0') * unit;
    if (frac) total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    pos = re.lastIndex;
  }
  return total;
}

/** Nine fractional digits at most, right-padded: ".5" is 500,000,000 ns. */
function fractionToNano(frac: string | undefined): bigint {
  if (!frac) return 0n;
  return BigInt(frac.slice(0, 9).padEnd(9, '0'));
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9})\d*)?)?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$/;

function parseTimestamp(value: string): bigint | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac, zone] = m;
  const parts = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31 || parts[3] > 23 || parts[4] > 59 || parts[5] > 60) {
    return undefined;
  }
  let ms: number;
  if (zone === undefined) {
    // No zone means local time, as Go's time.ParseInLocation(..., time.Local) reads it.
    ms = new Date(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]).getTime();
  } else {
    ms = Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]);
    if (zone !== 'Z' && zone !== 'z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
      ms -= sign * offsetMin * 60_000;
    }
  }
  if (!Number.isFinite(ms)) return undefined;
  return BigInt(ms) * NS_PER_MS + fractionToNano(frac);
}

/**
 * Parses what `--since`/`--until` accept, as podman does: an RFC3339 timestamp (with
 * up to nine fractional digits, a zone or local time, or a bare date), unix seconds
 * with an optional fraction ("1700000000.5"), or a duration ("10m", "1h30m") meaning
 * that long before `now`.
 */
export function parseEventTime(value: string, now: bigint = nowNano()): bigint {
  const text = value.trim();
  const duration = parseDuration(text);
  if (duration !== undefined) return now - duration;
  const unix = /^(\d+)(?:\.(\d{1,9})\d*)?$/.exec(text);
  if (unix) return BigInt(unix[1]!) * NS_PER_S + fractionToNano(unix[2]);
  const stamp = parseTimestamp(text);
  if (stamp !== undefined) return stamp;
  throw new InvalidArgumentError(
    `invalid event time "${value}": expected an RFC3339 timestamp, unix seconds or a duration such as 10m`,
    { details: { value } },
  );
}

/** Formats nanoseconds since the epoch as RFC3339 with nine fractional digits (UTC). */
export function formatEventTime(timeNano: bigint): string {
  const seconds = timeNano / NS_PER_S;
  const nanos = timeNano % NS_PER_S;
  const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${iso}.${nanos.toString().padStart(9, '0')}Z`;
}
