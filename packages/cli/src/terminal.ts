import type { Container } from '@corral/core';

/**
 * Puts the local terminal in raw mode while attached (keys go to the container,
 * ctrl-c included) and forwards size changes. Returns the undo.
 */
export function bindTerminal(stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream, resize: (size: { width: number; height: number }) => Promise<void>): () => void {
  const wasRaw = stdin.isTTY ? stdin.isRaw : false;
  if (stdin.isTTY) stdin.setRawMode(true);
  const push = () => {
    if (stdout.isTTY) resize({ width: stdout.columns, height: stdout.rows }).catch(() => undefined);
  };
  push();
  stdout.on('resize', push);
  return () => {
    stdout.off('resize', push);
    if (stdin.isTTY) stdin.setRawMode(wasRaw);
  };
}

const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** Forwards the signals corral receives to the container (podman's --sig-proxy). */
export function proxySignals(ctr: Container): () => void {
  const handlers = PROXIED.map((signal) => {
    const handler = () => {
      ctr.kill(signal).catch(() => undefined);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
}
