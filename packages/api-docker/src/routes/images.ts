import { ErrorCode, codeOf, type ImageSummary } from '@corral/core';
import type { ApiContext } from '../context.js';
import { queryBool, type Call } from '../http/call.js';
import { ApiError, noSuchImage } from '../http/api-error.js';
import type { Router } from '../http/router.js';
import { imageInspect, imageSummary } from '../model/image-json.js';

export function imageRoutes(router: Router, ctx: ApiContext): void {
  router
    .add('GET', '/images/json', (call) => list(ctx, call))
    .add('POST', '/images/load', (call) => load(ctx, call))
    .add('POST', '/images/create', (call) => createImage(ctx, call))
    .add('GET', '/images/{name*}/json', (call) => inspect(ctx, call))
    .add('POST', '/images/{name*}/tag', (call) => tag(ctx, call))
    .add('DELETE', '/images/{name*}', (call) => remove(ctx, call));
}

async function resolve(ctx: ApiContext, ref: string): Promise<ImageSummary> {
  try {
    return await ctx.engine.images.resolve(ref);
  } catch (err) {
    if (codeOf(err) === ErrorCode.NoSuchImage) throw noSuchImage(ref, err);
    throw err;
  }
}

async function list(ctx: ApiContext, call: Call): Promise<void> {
  const images = await ctx.engine.images.list();
  call.reply.json(200, images.map(imageSummary));
}

async function inspect(ctx: ApiContext, call: Call): Promise<void> {
  call.reply.json(200, imageInspect(await resolve(ctx, call.params[0]!)));
}

async function tag(ctx: ApiContext, call: Call): Promise<void> {
  const repo = call.query.get('repo');
  if (!repo) throw new ApiError(400, 'repository name (repo) is required');
  const image = await resolve(ctx, call.params[0]!);
  await ctx.engine.images.tag(image.id, `${repo}:${call.query.get('tag') || 'latest'}`);
  call.reply.empty(201);
}

async function remove(ctx: ApiContext, call: Call): Promise<void> {
  const ref = call.params[0]!;
  await resolve(ctx, ref);
  const result = await ctx.engine.images.remove(ref, { force: queryBool(call.query, 'force') });
  call.reply.json(200, [...result.untagged.map((u) => ({ Untagged: u })), ...result.deleted.map((d) => ({ Deleted: `sha256:${d.replace(/^sha256:/, '')}` }))]);
}

async function load(ctx: ApiContext, call: Call): Promise<void> {
  const images = await ctx.engine.images.load(call.body());
  const lines = images.map((img) =>
    JSON.stringify({ stream: img.names.length ? `Loaded image: ${img.names.join(', ')}\n` : `Loaded image ID: sha256:${img.id}\n` }),
  );
  const body = lines.join('\n') + (lines.length ? '\n' : '');
  const out = call.reply.stream(200, { 'Content-Type': 'application/json' });
  out.end(body);
}

/** POST /images/create: `fromSrc=-` imports the request body as a root filesystem; pulling is not offered. */
async function createImage(ctx: ApiContext, call: Call): Promise<void> {
  const q = call.query;
  const fromSrc = q.get('fromSrc');
  if (fromSrc === null) {
    const from = q.get('fromImage') ?? '';
    throw new ApiError(501, `cannot pull ${from}${q.get('tag') ? `:${q.get('tag')}` : ''}: this service does not pull images; load or import them instead`);
  }
  if (fromSrc !== '-') throw new ApiError(501, `cannot import from ${JSON.stringify(fromSrc)}: only fromSrc=- (the request body) is supported`);
  const repo = q.get('repo');
  const reference = repo ? `${repo}${q.get('tag') ? `:${q.get('tag')}` : repo.includes(':') ? '' : ':latest'}` : undefined;
  const image = await ctx.engine.images.importRootfs(call.body(), {
    ...(reference ? { reference } : {}),
    changes: q.getAll('changes'),
    ...(q.get('message') ? { message: q.get('message')! } : {}),
  });
  const out = call.reply.stream(200, { 'Content-Type': 'application/json' });
  out.end(`${JSON.stringify({ status: `sha256:${image.id}` })}\n`);
}
