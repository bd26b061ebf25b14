import { CorralError, ErrorCode, type CorralEvent, type EventType } from '@corral/core';

/**
 * One event is one JSON line. `timeNano` is a decimal string (JSON numbers lose
 * nanoseconds) and comes first, so a reader can bound by time before parsing.
 */
export function encodeEvent(event: CorralEvent): string {
  const record: Record<string, unknown> = {
    timeNano: event.timeNano.toString(),
    type: event.type,
    action: event.action,
    id: event.id,
    name: event.name,
    image: event.image,
  };
  if (event.exitCode !== undefined) record.exitCode = event.exitCode;
  record.attributes = event.attributes;
  if (event.error !== undefined) record.error = event.error;
  return `${JSON.stringify(record)}\n`;
}

/** Parses one line written by encodeEvent; throws STATE_CORRUPT naming `where`. */
export function decodeEvent(line: string, where: string): CorralEvent {
  let raw: any;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    throw new CorralError(ErrorCode.StateCorrupt, `unreadable event line in ${where}`, { cause: err });
  }
  if (typeof raw?.timeNano !== 'string' || typeof raw.type !== 'string' || typeof raw.action !== 'string') {
    throw new CorralError(ErrorCode.StateCorrupt, `malformed event line in ${where}: ${line.slice(0, 120)}`);
  }
  const event: CorralEvent = {
    timeNano: BigInt(raw.timeNano),
    type: raw.type as EventType,
    action: raw.action,
    id: raw.id ?? '',
    name: raw.name ?? '',
    image: raw.image ?? '',
    attributes: raw.attributes ?? {},
  };
  if (raw.exitCode !== undefined) event.exitCode = raw.exitCode;
  if (raw.error !== undefined) event.error = raw.error;
  return event;
}

const TIME_PREFIX = '{"timeNano":"';

/** The time of an encoded line without parsing it, or undefined if it is not there. */
export function peekTime(line: string): bigint | undefined {
  if (!line.startsWith(TIME_PREFIX)) return undefined;
  const end = line.indexOf('"', TIME_PREFIX.length);
  if (end < 0) return undefined;
  return BigInt(line.slice(TIME_PREFIX.length, end));
}
