/**
 * deleted.files: the paths, relative to the container's root filesystem, that the
 * checkpointed container had deleted from its image. podman once removed host files
 * named by a crafted list; here every entry must be a plain relative path (storage's
 * applyDiff confines them again when it deletes).
 */
export function checkDeletedFiles(value: unknown, maxEntries: number): { ok: true; paths: string[] } | { ok: false; reason: string } {
  if (!Array.isArray(value)) return { ok: false, reason: 'not a JSON list of paths' };
  if (value.length > maxEntries) return { ok: false, reason: `more than ${maxEntries} entries` };
  for (const [i, p] of value.entries()) {
    if (typeof p !== 'string') return { ok: false, reason: `entry ${i} is not a string` };
    const why = relativePathProblem(p);
    if (why) return { ok: false, reason: `entry ${i} ${JSON.stringify(p)}: ${why}` };
  }
  return { ok: true, paths: value as string[] };
}

function relativePathProblem(p: string): string | undefined {
  if (p === '') return 'empty path';
  if (p.includes('\0')) return 'holds a NUL byte';
  if (p.startsWith('/')) return 'absolute paths are not allowed';
  const parts = p.split('/');
  if (parts.includes('..')) return 'a ".." component would leave the root filesystem';
  if (parts.some((c) => c === '' || c === '.')) return 'empty or "." components are not allowed';
  return undefined;
}
