import { InvalidArgumentError, type ImageSummary } from '@corral/core';
import { bool, str } from '../args.js';
import type { CommandModule } from '../context.js';
import { compareStrings } from '../format/compare.js';
import { ago, formatRows } from '../format/output.js';

const DEFAULT_FORMAT = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
const HEADERS: Record<string, string> = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  ID: 'IMAGE ID',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Digest: 'DIGEST',
};

/** One row per name (an image with two tags shows twice), as podman lists them. */
export function imageRows(images: ImageSummary[], noTrunc: boolean) {
  const rows = [];
  for (const image of images) {
    const names = image.names.length ? image.names : ['<none>:<none>'];
    for (const name of names) {
      const colon = name.lastIndexOf(':');
      const slash = name.lastIndexOf('/');
      const hasTag = colon > slash;
      rows.push({
        Id: image.id,
        ID: noTrunc ? `sha256:${image.id}` : image.id.slice(0, 12),
        Repository: hasTag ? name.slice(0, colon) : name,
        Tag: hasTag ? name.slice(colon + 1) : '<none>',
        Names: image.names,
        Digest: image.digest,
        CreatedAt: image.createdAt,
        CreatedSince: ago(image.createdAt),
        Created: Math.floor(Date.parse(image.createdAt) / 1000),
        Size: humanSize(image.size),
        Labels: image.config.labels,
      });
    }
  }
  return rows;
}

/** Sizes as podman prints them: decimal units, three significant digits. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : Number(n.toPrecision(3))} ${units[i]}`;
}

const images: CommandModule = {
  usage: 'images [options] [IMAGE]',
  options: {
    all: { type: 'boolean', short: 'a' },
    quiet: { type: 'boolean', short: 'q' },
    format: { type: 'string' },
    'no-trunc': { type: 'boolean' },
    noheading: { type: 'boolean', short: 'n' },
  },
  async run(ctx, { values, positionals }) {
    if (positionals.length > 1) throw new InvalidArgumentError('images takes at most one image name');
    const engine = await ctx.engine();
    let list = await engine.images.list();
    if (positionals[0]) {
      const wanted = await engine.images.resolve(positionals[0]);
      list = list.filter((i) => i.id === wanted.id);
    }
    list.sort((a, b) => compareStrings(b.createdAt, a.createdAt));
    const noTrunc = bool(values, 'no-trunc');
    if (bool(values, 'quiet')) {
      const ids = [...new Set(list.map((i) => (noTrunc ? `sha256:${i.id}` : i.id.slice(0, 12))))];
      ctx.stdout.write(ids.map((id) => `${id}\n`).join(''));
      return 0;
    }
    const format = str(values, 'format') ?? DEFAULT_FORMAT;
    let text = formatRows(imageRows(list, noTrunc), format, HEADERS);
    if (bool(values, 'noheading') && format.startsWith('table')) text = text.split('\n').slice(1).join('\n');
    ctx.stdout.write(text);
    return 0;
  },
};
export default images;
