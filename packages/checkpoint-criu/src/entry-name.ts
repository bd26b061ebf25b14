import { CHECKPOINT_DIR, TOP_LEVEL_FILES } from './archive-layout.js';

/** Deep enough for any CRIU image tree; a bound keeps path building cheap. */
const MAX_DEPTH = 8;
const MAX_NAME_BYTES = 4096;

export type EntryKind = 'file' | 'directory';

/**
 * Why an archive entry's name is refused, or its components when it is acceptable.
 * Names are relative, without "." or ".." components, and start with a name of the
 * layout; `root` is the archive's own "./" entry, which carries nothing.
 */
export type EntryNameCheck = { ok: true; parts: string[]; root: boolean } | { ok: false; reason: string };

export function checkEntryName(name: string, kind: EntryKind): EntryNameCheck {
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return { ok: false, reason: 'the name is too long' };
  if (name.includes('\0')) return { ok: false, reason: 'the name holds a NUL byte' };
  if (name.startsWith('/')) return { ok: false, reason: 'absolute paths are not allowed' };
  // GNU tar writes "./name" when archiving with `-C dir .`; the lone "./" is the root itself.
  let rest = name.startsWith('./') ? name.slice(2) : name;
  if (kind === 'directory' && rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest === '' || rest === '.') {
    return kind === 'directory' ? { ok: true, parts: [], root: true } : { ok: false, reason: 'a file has no name' };
  }
  const parts = rest.split('/');
  if (parts.includes('..')) return { ok: false, reason: 'a ".." component would leave the destination' };
  if (parts.some((p) => p === '' || p === '.')) return { ok: false, reason: 'empty or "." components are not allowed' };
  if (parts.length > MAX_DEPTH) return { ok: false, reason: `deeper than ${MAX_DEPTH} levels` };
  const top = parts[0]!;
  if (top === CHECKPOINT_DIR) {
    if (parts.length === 1 && kind !== 'directory') return { ok: false, reason: `${CHECKPOINT_DIR} must be a directory` };
    return { ok: true, parts, root: false };
  }
  if (!TOP_LEVEL_FILES.has(top)) return { ok: false, reason: `unexpected top-level name "${top}"` };
  if (parts.length > 1 || kind !== 'file') return { ok: false, reason: `${top} must be a regular file at the top level` };
  return { ok: true, parts, root: false };
}
