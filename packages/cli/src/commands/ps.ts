import { ContainerStatus as S, InvalidArgumentError } from '@corral/core';
import { bool, int, list, str } from '../args.js';
import type { CommandModule } from '../context.js';
import { compareStrings } from '../format/compare.js';
import { formatRows } from '../format/output.js';
import { psRow, templateView } from './ps-rows.js';

const DEFAULT_FORMAT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
const HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedHuman: 'CREATED',
  CreatedAt: 'CREATED',
  Status: 'STATUS',
  Ports: 'PORTS',
  Names: 'NAMES',
  State: 'STATE',
  Labels: 'LABELS',
  Pid: 'PID',
  ExitCode: 'EXIT CODE',
};

const ps: CommandModule = {
  usage: 'ps [options]',
  options: {
    all: { type: 'boolean', short: 'a' },
    quiet: { type: 'boolean', short: 'q' },
    last: { type: 'string', short: 'n' },
    latest: { type: 'boolean', short: 'l' },
    'no-trunc': { type: 'boolean' },
    filter: { type: 'string', short: 'f', multiple: true },
    external: { type: 'boolean' },
    format: { type: 'string' },
    sync: { type: 'boolean' },
  },
  async run(ctx, { values, positionals }) {
    if (positionals.length) throw new InvalidArgumentError(`ps takes no arguments, got "${positionals[0]}"`);
    const engine = await ctx.engine();
    const filters: Record<string, string[]> = {};
    for (const f of list(values, 'filter')) {
      const eq = f.indexOf('=');
      if (eq <= 0) throw new InvalidArgumentError(`invalid filter "${f}": use KEY=VALUE`);
      (filters[f.slice(0, eq)] ??= []).push(f.slice(eq + 1));
    }
    // Synced with the runtime first: a process may have exited since.
    let shown = await engine.listSynced(filters);
    const showAll = bool(values, 'all') || bool(values, 'latest') || values.last !== undefined || 'status' in filters;
    if (!showAll) shown = shown.filter((r) => r.state.status === S.Running);
    shown.sort((a, b) => compareStrings(a.config.createdAt, b.config.createdAt));
    const last = bool(values, 'latest') ? 1 : int(values, 'last');
    if (last !== undefined && last >= 0) shown = shown.slice(Math.max(0, shown.length - last));

    const noTrunc = bool(values, 'no-trunc');
    const rows = shown.map((r) => psRow(r, noTrunc));
    if (bool(values, 'quiet')) {
      ctx.stdout.write(rows.map((r) => `${r.ID}\n`).join(''));
      return 0;
    }
    const format = str(values, 'format') ?? DEFAULT_FORMAT;
    ctx.stdout.write(format === 'json' ? formatRows(rows, 'json', HEADERS) : formatRows(rows.map((r) => templateView(r, noTrunc)), format, HEADERS));
    return 0;
  },
};
export default ps;
