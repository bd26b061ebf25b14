import { splitLabelFilter } from '@corral/core/events/filter';

/** JSON.stringify escapes character by character, so an escaped substring stays a substring. */
const escaped = (s: string): string => JSON.stringify(s).slice(1, -1);

/**
 * A cheap necessary condition for a line to match `filters`: each filter key needs
 * one of its values to appear in the raw line. Lines that pass are still parsed and
 * checked with core's matchEvent; this only spares JSON.parse on most lines that fail.
 */
export function linePrefilter(filters: Record<string, string[]> | undefined): (line: string) => boolean {
  if (!filters) return () => true;
  const groups: string[][][] = [];
  for (const [key, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    groups.push(
      values.map((value) => {
        switch (key) {
          case 'event':
            return [`"action":${JSON.stringify(value)},`];
          case 'type':
            return [`"type":${JSON.stringify(value)},`];
          case 'label': {
            const [k, v] = splitLabelFilter(value);
            return v === undefined ? [`${JSON.stringify(k)}:`] : [`${JSON.stringify(k)}:${JSON.stringify(v)}`];
          }
          default:
            return [escaped(value)];
        }
      }),
    );
  }
  if (groups.length === 0) return () => true;
  return (line) => groups.every((alternatives) => alternatives.some((needles) => needles.every((n) => line.includes(n))));
}
