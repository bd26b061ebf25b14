/**
 * One definition of what an event filter means, shared by every EventBackend (the
 * SQL backend translates the same rules; its tests hold it to this module).
 *
 * Keys: container (id, id prefix or name; container and exec events), event (the
 * action), image (image name, or an image event's id or id prefix), label (`key=value`
 * or just `key`), type. Values of one key are ORed, different keys are ANDed. `since`
 * and `until` are inclusive bounds in nanoseconds.
 */
import { InvalidArgumentError } from '../errors.js';
import type { CorralEvent, EventFilter } from '../types/event.js';

export const EVENT_FILTER_KEYS = ['container', 'event', 'image', 'label', 'type'] as const;
export type EventFilterKey = (typeof EVENT_FILTER_KEYS)[number];

/** Event types whose `id` and `name` are a container's. */
export const CONTAINER_EVENT_TYPES: readonly string[] = ['container', 'exec'];

/** Splits a label filter value: "a=b" -> ["a", "b"], "a" -> ["a", undefined]. */
export function splitLabelFilter(value: string): [string, string | undefined] {
  const eq = value.indexOf('=');
  return eq < 0 ? [value, undefined] : [value.slice(0, eq), value.slice(eq + 1)];
}

/** Throws InvalidArgumentError on an unknown filter key or an empty value. */
export function validateEventFilters(filters: Record<string, string[]> | undefined): void {
  if (!filters) return;
  for (const [key, values] of Object.entries(filters)) {
    if (!(EVENT_FILTER_KEYS as readonly string[]).includes(key)) {
      throw new InvalidArgumentError(
        `unknown event filter "${key}": expected one of ${EVENT_FILTER_KEYS.join(', ')}`,
        { details: { key } },
      );
    }
    for (const value of values) {
      if (value === '') {
        throw new InvalidArgumentError(`empty value for event filter "${key}"`, { details: { key } });
      }
    }
  }
}

function matchOne(event: CorralEvent, key: EventFilterKey, value: string): boolean {
  switch (key) {
    case 'container':
      return (
        CONTAINER_EVENT_TYPES.includes(event.type) &&
        (event.name === value || event.id.startsWith(value))
      );
    case 'event':
      return event.action === value;
    case 'image':
      return event.image === value || (event.type === 'image' && event.id.startsWith(value));
    case 'label': {
      const [k, v] = splitLabelFilter(value);
      if (!Object.prototype.hasOwnProperty.call(event.attributes, k)) return false;
      return v === undefined || event.attributes[k] === v;
    }
    case 'type':
      return event.type === value;
  }
}

/** Whether `event` passes the time bounds only. */
export function inTimeRange(event: CorralEvent, filter: EventFilter | undefined): boolean {
  if (filter?.since !== undefined && event.timeNano < filter.since) return false;
  if (filter?.until !== undefined && event.timeNano > filter.until) return false;
  return true;
}

/** Whether `event` passes `filter`'s time bounds and every filter key. */
export function matchEvent(event: CorralEvent, filter: EventFilter | undefined): boolean {
  if (!inTimeRange(event, filter)) return false;
  const filters = filter?.filters;
  if (!filters) return true;
  for (const [key, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    if (!(EVENT_FILTER_KEYS as readonly string[]).includes(key)) return false;
    if (!values.some((v) => matchOne(event, key as EventFilterKey, v))) return false;
  }
  return true;
}

/** A predicate for `filter`, validated once up front. */
export function eventMatcher(filter: EventFilter | undefined): (event: CorralEvent) => boolean {
  validateEventFilters(filter?.filters);
  return (event) => matchEvent(event, filter);
}
