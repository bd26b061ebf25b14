import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { InvalidArgumentError, RuntimeError, type TerminalSize } from '@corral/core';

const WIN_RESIZE_EVENT = 1;
// conmon ignores sizes outside 0..1000.
const MAX_DIMENSION = 1000;

/** Asks conmon to resize the terminal, through the ctl FIFO in its bundle directory. */
export function writeResize(ctlPath: string, size: TerminalSize, what: string): void {
  const { width, height } = size;
  for (const [label, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > MAX_DIMENSION) {
      throw new InvalidArgumentError(`invalid terminal ${label} ${v} for ${what}: 0 to ${MAX_DIMENSION}`, { details: { size } });
    }
  }
  let fd: number;
  try {
    // Non-blocking: with no conmon reading, the open fails (ENXIO) instead of hanging.
    fd = openSync(ctlPath, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new RuntimeError(`cannot resize the terminal of ${what}: its conmon is not listening`, { cause: err, details: { ctl: ctlPath } });
  }
  try {
    writeSync(fd, `${WIN_RESIZE_EVENT} ${height} ${width}\n`);
  } catch (err) {
    throw new RuntimeError(`cannot resize the terminal of ${what}`, { cause: err, details: { ctl: ctlPath } });
  } finally {
    closeSync(fd);
  }
}
