import { ErrorCode, InvalidArgumentError, NotFoundError, hasCode, type Engine } from '@corral/core';
import { str } from '../args.js';
import type { CommandModule } from '../context.js';
import { compileTemplate } from '../format/go-template.js';
import { containerInspect, imageInspect } from './inspect-view.js';

const inspect: CommandModule = {
  usage: 'inspect [options] NAME [NAME...]',
  options: { format: { type: 'string', short: 'f' }, type: { type: 'string', short: 't' }, size: { type: 'boolean', short: 's' } },
  async run(ctx, { values, positionals }) {
    if (positionals.length === 0) throw new InvalidArgumentError('inspect needs at least one name or id');
    const type = str(values, 'type') ?? 'all';
    if (!['all', 'container', 'image'].includes(type)) throw new InvalidArgumentError(`invalid --type "${type}": use container, image or all`);
    const engine = await ctx.engine();
    const found: object[] = [];
    let failed = false;
    for (const name of positionals) {
      try {
        found.push(await inspectOne(engine, name, type));
      } catch (err) {
        failed = true;
        ctx.stderr.write(`Error: ${(err as Error).message}\n`);
      }
    }
    const format = str(values, 'format');
    if (format && format !== 'json') {
      const template = compileTemplate(format);
      ctx.stdout.write(found.map((f) => `${template(f)}\n`).join(''));
    } else {
      ctx.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
    }
    return failed ? 125 : 0;
  },
};
export default inspect;

async function inspectOne(engine: Engine, name: string, type: string): Promise<object> {
  if (type !== 'image') {
    try {
      const ctr = await engine.container(name);
      const state = await ctr.sync();
      return containerInspect(ctr.config, state, await ctr.execSessions(), ctr.logPath());
    } catch (err) {
      if (type === 'container' || !hasCode(err, ErrorCode.NoSuchCtr)) throw err;
    }
  }
  try {
    return imageInspect(await engine.images.resolve(name));
  } catch (err) {
    if (!hasCode(err, ErrorCode.NoSuchImage)) throw err;
    throw new NotFoundError(ErrorCode.NoSuchCtr, `inspecting object: no such object: "${name}"`, { cause: err });
  }
}
