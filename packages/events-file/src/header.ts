import { CorralError, ErrorCode } from '@corral/core';

/**
 * The first line of every log file generation: which generation it is and the
 * logical offset (in the endless stream of event lines ever written) of the byte
 * right after this header.
 */
export interface LogHeader {
  generation: number;
  base: number;
  /**
   * Bytes of events this generation took over from the previous one at rotation;
   * absent in generation 0. The next rotation never cuts past them (see rotate()).
   */
  kept?: number;
}

const MAGIC = 'corral-events';

export function encodeHeader(header: LogHeader): string {
  const { generation, base, kept } = header;
  return `${JSON.stringify(kept === undefined ? { [MAGIC]: 1, generation, base } : { [MAGIC]: 1, generation, base, kept })}\n`;
}

/**
 * Parses the header at the start of `chunk`; undefined when the chunk does not yet
 * hold a whole first line. Returns the header and its length in bytes.
 */
export function decodeHeader(chunk: Buffer, path: string): { header: LogHeader; length: number } | undefined {
  const nl = chunk.indexOf(10);
  if (nl < 0) return undefined;
  let raw: any;
  try {
    raw = JSON.parse(chunk.subarray(0, nl).toString('utf8'));
  } catch (err) {
    throw new CorralError(ErrorCode.StateCorrupt, `event log ${path} has no valid header line`, { cause: err });
  }
  if (raw?.[MAGIC] !== 1 || !Number.isSafeInteger(raw.generation) || !Number.isSafeInteger(raw.base)) {
    throw new CorralError(ErrorCode.StateCorrupt, `event log ${path} has an unknown header: ${JSON.stringify(raw)}`);
  }
  const header: LogHeader = { generation: raw.generation, base: raw.base };
  if (Number.isSafeInteger(raw.kept)) header.kept = raw.kept;
  return { header, length: nl + 1 };
}
