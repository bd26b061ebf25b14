/**
 * The smallest string greater than every string that starts with `prefix`, in
 * SQLite's BINARY order (UTF-8 bytes, which is code point order), so that
 * `id >= prefix AND id < upper` finds the ids with that prefix through the index.
 * undefined when no such bound exists (the prefix ends in U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix);
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return undefined;
  let next = last + 1;
  // Surrogate code points cannot be encoded: skip past them.
  if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
  return points.join('') + String.fromCodePoint(next);
}
