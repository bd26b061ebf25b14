import type { EventReadOptions } from '@corral/core';
import { CONTAINER_EVENT_TYPES, splitLabelFilter, validateEventFilters } from '@corral/core/events/filter';

/**
 * Translates an event filter into a WHERE clause with the same meaning as core's
 * matchEvent. Prefixes become ranges so the id index serves them: every string that
 * starts with p sorts in [p, p + U+10FFFF) under SQLite's binary collation. Labels
 * are `seq IN (subquery)` so the planner can start from the (key, value) index.
 */
export function whereClause(options: EventReadOptions): { sql: string; params: unknown[] } {
  validateEventFilters(options.filters);
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (options.since !== undefined) {
    clauses.push('e.time_ns >= ?');
    params.push(options.since);
  }
  if (options.until !== undefined) {
    clauses.push('e.time_ns <= ?');
    params.push(options.until);
  }
  const containerTypes = CONTAINER_EVENT_TYPES.map(() => '?').join(', ');
  for (const [key, values] of Object.entries(options.filters ?? {})) {
    if (values.length === 0) continue;
    const alternatives: string[] = [];
    for (const value of values) {
      switch (key) {
        case 'container':
          // Two ORed index lookups (name, id range) rather than one scan of the type index.
          alternatives.push(
            `(e.name = ? AND e.type IN (${containerTypes}))`,
            `(e.id >= ? AND e.id < ? AND e.type IN (${containerTypes}))`,
          );
          params.push(value, ...CONTAINER_EVENT_TYPES, value, `${value}\u{10FFFF}`, ...CONTAINER_EVENT_TYPES);
          break;
        case 'event':
          alternatives.push('e.action = ?');
          params.push(value);
          break;
        case 'image':
          alternatives.push(`(e.image = ? OR (e.type = 'image' AND e.id >= ? AND e.id < ?))`);
          params.push(value, value, `${value}\u{10FFFF}`);
          break;
        case 'type':
          alternatives.push('e.type = ?');
          params.push(value);
          break;
        case 'label': {
          const [k, v] = splitLabelFilter(value);
          if (v === undefined) {
            alternatives.push('e.seq IN (SELECT l.seq FROM event_labels l WHERE l.key = ?)');
            params.push(k);
          } else {
            alternatives.push('e.seq IN (SELECT l.seq FROM event_labels l WHERE l.key = ? AND l.value = ?)');
            params.push(k, v);
          }
          break;
        }
      }
    }
    clauses.push(`(${alternatives.join(' OR ')})`);
  }
  return { sql: clauses.length ? clauses.join(' AND ') : '1', params };
}
