import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { withProgress } from '../progress.js';
import { InvalidArgumentError } from '@corral/core';
import { bool, list, str } from '../args.js';
import type { CommandModule } from '../context.js';

const importCommand: CommandModule = {
  usage: 'import [options] PATH [REFERENCE]',
  options: {
    change: { type: 'string', short: 'c', multiple: true },
    message: { type: 'string', short: 'm' },
    quiet: { type: 'boolean', short: 'q' },
  },
  async run(ctx, { values, positionals }) {
    const [source, reference] = positionals;
    if (!source || positionals.length > 2) throw new InvalidArgumentError('import takes a tarball path (or - for stdin) and an optional name');
    const engine = await ctx.engine();
    const total = source === '-' ? undefined : (await stat(source)).size;
    const input = (source === '-' ? ctx.stdin : createReadStream(source)).pipe(withProgress('Copying blob', total, ctx.stderr));
    const message = str(values, 'message');
    const image = await engine.images.importRootfs(input, {
      ...(reference ? { reference } : {}),
      changes: list(values, 'change'),
      ...(message ? { message } : {}),
    });
    if (!bool(values, 'quiet')) ctx.stderr.write(`Writing manifest to image destination\n`);
    ctx.stdout.write(`sha256:${image.id}\n`);
    return 0;
  },
};
export default importCommand;
