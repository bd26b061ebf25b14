import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { bool } from '../args.js';
import type { CommandModule } from '../context.js';

/**
 * `system reset`: every container, image and network goes, then the roots. Asks
 * first unless --force, as podman does; no answer (no terminal) means no.
 */
const systemReset: CommandModule = {
  usage: 'system reset [--force]',
  options: { force: { type: 'boolean', short: 'f' } },
  async run(ctx, { values }) {
    const engine = await ctx.engine();
    if (!bool(values, 'force')) {
      ctx.stdout.write(
        `WARNING! This will remove:\n        - all containers\n        - all images\n        - all networks\n        - all of ${engine.root} and ${engine.runRoot}\nAre you sure you want to continue? [y/N] `,
      );
      const rl = createInterface({ input: ctx.stdin });
      const answer = await Promise.race([rl.question(''), new Promise<string>((r) => ctx.stdin.once('end', () => r('')))]);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) return 0;
    }
    for (const r of await engine.list()) await engine.removeContainer(r.config.id, { force: true, timeout: 0 });
    for (const image of await engine.images.list()) await engine.images.remove(image.id, { force: true });
    if (engine.network) {
      for (const n of await engine.network.listNetworks()) {
        if (n.name !== 'corral') await engine.network.removeNetwork(n.name, { force: true });
      }
    }
    const { root, runRoot } = engine;
    // Plugins let go of their files (databases, locks) before the roots are deleted.
    await engine.close();
    await rm(root, { recursive: true, force: true });
    await rm(runRoot, { recursive: true, force: true });
    return 0;
  },
};
export default systemReset;
