import { ErrorCode, codeOf, describeError, hasCode } from '@corral/core/errors';

/** podman's exit codes: 125 for an engine error, 126/127 when a command cannot run. */
export function exitCodeFor(err: unknown): number {
  if (hasCode(err, ErrorCode.ExecNotFound)) return 127;
  if (hasCode(err, ErrorCode.ExecCannotInvoke)) return 126;
  return 125;
}

/** The message podman would print: "Error: ..." with the cause chain. */
export function errorMessage(err: unknown): string {
  const code = codeOf(err);
  const text = describeError(err);
  return code ? `Error: ${text}` : `Error: ${text}`;
}
