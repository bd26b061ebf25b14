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
