import { InvalidArgumentError } from './errors.js';

/** podman's and Docker's default: ctrl-p then ctrl-q leaves a container running. */
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CTRL_SPECIAL: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

/** "ctrl-p,ctrl-q" -> [0x10, 0x11]; a single character stands for itself; "" for none. */
export function parseDetachKeys(spec: string): Buffer {
  if (spec === '') return Buffer.alloc(0);
  const bytes = spec.split(',').map((part) => {
    const key = part.trim();
    if (key.length === 1) return key.charCodeAt(0);
    const m = /^ctrl-(.)$/i.exec(key);
    if (m) {
      const c = m[1]!;
      if (/[a-z]/i.test(c)) return c.toLowerCase().charCodeAt(0) - 96;
      if (c in CTRL_SPECIAL) return CTRL_SPECIAL[c]!;
    }
    throw new InvalidArgumentError(`invalid detach keys "${spec}": "${key}" is not a character or ctrl-<key>`, { details: { detachKeys: spec } });
  });
  return Buffer.from(bytes);
}
