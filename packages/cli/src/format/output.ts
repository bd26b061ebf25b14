import { compileTemplate } from './go-template.js';

/**
 * podman's output rules for list commands: a "table ..." format prints a header and
 * aligned columns; "json" prints a JSON array; any other format is a Go template per row.
 */
export function formatRows<T extends object>(
  rows: T[],
  format: string,
  headers: Record<string, string>,
): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 4)}\n`;
  const isTable = format.startsWith('table');
  const body = isTable ? format.slice('table'.length).trimStart() : format;
  const template = compileTemplate(body);
  const lines = rows.map((r) => template(r));
  if (!isTable) return lines.map((l) => `${l}\n`).join('');
  const header = compileTemplate(body)(new Proxy({}, { get: (_t, key) => headers[String(key)] ?? String(key).toUpperCase(), has: () => true }));
  return alignColumns([header, ...lines]);
}

/** Go's tabwriter as podman sets it up: minimum width 12, padding 2. */
export function alignColumns(lines: string[]): string {
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const row of cells) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return cells
    .map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(Math.max(12, widths[i]! + 2)))).join('').trimEnd())
    .map((l) => `${l}\n`)
    .join('');
}

/** "2 seconds", "About a minute", "3 hours": go-units' HumanDuration, which podman uses. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(hours / 24 / 365)} years`;
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  return `${humanDuration(now - Date.parse(iso))} ago`;
}
