import { InvalidArgumentError } from '@corral/core';

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

/**
 * Finds the detach sequence in a byte stream split across chunks. Bytes that might
 * begin the sequence are held back until the next chunk decides.
 */
export class DetachScanner {
  private held = 0;

  constructor(private readonly keys: Buffer) {}

  /** The bytes to pass on, and whether the sequence was completed (what follows is dropped). */
  feed(chunk: Buffer): { pass: Buffer; detached: boolean } {
    if (this.keys.length === 0) return { pass: chunk, detached: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.held]) {
        this.held++;
        if (this.held === this.keys.length) return { pass: Buffer.from(out), detached: true };
        continue;
      }
      // A mismatch: the held prefix was ordinary input after all.
      for (let i = 0; i < this.held; i++) out.push(this.keys[i]!);
      this.held = 0;
      if (byte === this.keys[0]) this.held = 1;
      else out.push(byte);
    }
    return { pass: Buffer.from(out), detached: false };
  }
}
