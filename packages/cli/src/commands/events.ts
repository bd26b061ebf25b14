import { formatEventTime, parseEventTime, validateEventFilters, type CorralEvent } from '@corral/core';
import { list, str } from '../args.js';
import type { CommandModule } from '../context.js';
import { compileTemplate } from '../format/go-template.js';

const events: CommandModule = {
  usage: 'events [options]',
  options: {
    since: { type: 'string' },
    until: { type: 'string' },
    filter: { type: 'string', short: 'f', multiple: true },
    format: { type: 'string' },
    stream: { type: 'boolean' },
    'no-trunc': { type: 'boolean' },
  },
  async run(ctx, { values }) {
    const filters: Record<string, string[]> = {};
    for (const f of list(values, 'filter')) {
      const eq = f.indexOf('=');
      (filters[eq < 0 ? f : f.slice(0, eq)] ??= []).push(eq < 0 ? '' : f.slice(eq + 1));
    }
    validateEventFilters(filters);
    const since = str(values, 'since');
    const until = str(values, 'until');
    // podman streams unless --stream=false or --until bounds the reading.
    const follow = values.stream !== false && !until;
    const format = str(values, 'format');
    const template = format && format !== 'json' ? compileTemplate(format) : undefined;
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const engine = await ctx.engine();
      for await (const event of engine.events.read({
        ...(since ? { since: parseEventTime(since) } : {}),
        ...(until ? { until: parseEventTime(until) } : {}),
        filters,
        follow,
        signal: abort.signal,
      })) {
        ctx.stdout.write(`${render(event, format, template, values['no-trunc'] !== false)}\n`);
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  },
};
export default events;

function view(event: CorralEvent) {
  return {
    ID: event.id,
    Image: event.image,
    Name: event.name,
    Status: event.action,
    Time: formatEventTime(event.timeNano),
    TimeNano: event.timeNano.toString(),
    Type: event.type,
    Attributes: event.attributes,
    ...(event.exitCode !== undefined ? { ContainerExitCode: event.exitCode } : {}),
    ...(event.error ? { Error: event.error } : {}),
  };
}

function render(event: CorralEvent, format: string | undefined, template: ((d: unknown) => string) | undefined, noTrunc: boolean): string {
  if (format === 'json') return JSON.stringify({ ...view(event), time: Number(event.timeNano / 1_000_000_000n), timeNano: Number(event.timeNano) });
  if (template) return template(view(event));
  // podman's default line: TIME TYPE ACTION ID (image=..., name=..., labels); its
  // --no-trunc is on by default: only --no-trunc=false shortens the id.
  const id = noTrunc ? event.id : event.id.slice(0, 12);
  const attrs = [
    ...(event.image ? [`image=${event.image}`] : []),
    ...(event.name ? [`name=${event.name}`] : []),
    ...(event.exitCode !== undefined ? [`containerExitCode=${event.exitCode}`] : []),
    ...Object.entries(event.attributes).map(([k, v]) => `${k}=${v}`),
  ];
  return `${formatEventTime(event.timeNano)} ${event.type} ${event.action} ${id}${attrs.length ? ` (${attrs.join(', ')})` : ''}`;
}
