export interface ExecConfig {
  command: string[];
  env: string[];
  workingDir: string;
  user: string;
  terminal: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  privileged: boolean;
  detachKeys: string;
}

export type ExecSessionStatus = 'created' | 'running' | 'stopped';

export interface ExecSession {
  id: string;
  containerId: string;
  config: ExecConfig;
  status: ExecSessionStatus;
  pid: number;
  exitCode: number | null;
  createdAt: string;
}

/** Exit codes with a fixed meaning, as podman and Docker use them. */
export const ExitCodes = {
  /** The engine itself failed. */
  EngineError: 125,
  /** The command exists but could not be invoked. */
  CannotInvoke: 126,
  /** The command was not found. */
  NotFound: 127,
} as const;
