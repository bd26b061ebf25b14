import { CorralError, ErrorCode, ExitCodes, RuntimeError } from '@corral/core';

/**
 * Maps a runtime's complaint about starting a process to podman's exit codes: 126
 * when the command exists but cannot be invoked, 127 when it is not there. runc says
 * `exec: "x": executable file not found in $PATH` or `... no such file or directory`
 * and `permission denied`; runsc uses the same words.
 */
export function execStartError(message: string, containerId: string, command: string[]): CorralError {
  const details = { id: containerId, command, runtimeMessage: message };
  const cmd = command[0] ?? '';
  if (/permission denied|operation not permitted/i.test(message)) {
    return new CorralError(ErrorCode.ExecCannotInvoke, `cannot invoke "${cmd}" in container ${containerId}: ${message}`, {
      details: { ...details, exitCode: ExitCodes.CannotInvoke },
    });
  }
  if (/executable file not found|no such file or directory|not found in \$?PATH/i.test(message)) {
    return new CorralError(ErrorCode.ExecNotFound, `"${cmd}" not found in container ${containerId}: ${message}`, {
      details: { ...details, exitCode: ExitCodes.NotFound },
    });
  }
  return new RuntimeError(`exec of "${cmd}" in container ${containerId} failed: ${message}`, { details });
}
