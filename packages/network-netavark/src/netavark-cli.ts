import { RuntimeError } from '@corral/core';
import { run } from './exec.js';
import type { NetavarkOptions, NetavarkSetupResult } from './netavark-types.js';

export interface NetavarkCliOptions {
  netavarkPath: string;
  aardvarkPath: string;
  /** netavark's --config: where it keeps aardvark-dns's per-network files. */
  configDir: string;
}

/** A failed netavark run, with netavark's own error messages split out. */
export class NetavarkError extends RuntimeError {
  constructor(
    message: string,
    readonly problems: string[],
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options);
  }
}

// Teardown problems that only say the thing is already gone.
const ALREADY_GONE = /No such file or directory|No such device|No such process|Cannot find device/;

/** True when every problem of a failed teardown says something was already gone. */
export function onlyAlreadyGone(err: unknown): boolean {
  return err instanceof NetavarkError && err.problems.length > 0 && err.problems.every((p) => ALREADY_GONE.test(p));
}

/** True when a problem names a container interface that is missing from the namespace. */
export function missingContainerInterface(err: unknown): boolean {
  return err instanceof NetavarkError && err.problems.some((p) => /container veth .*No such device/.test(p));
}

/** Runs netavark's setup and teardown commands with the JSON they read on stdin. */
export class NetavarkCli {
  constructor(private readonly options: NetavarkCliOptions) {}

  async setup(netnsPath: string, input: NetavarkOptions): Promise<NetavarkSetupResult> {
    const out = await this.#run('setup', netnsPath, input);
    try {
      return JSON.parse(out) as NetavarkSetupResult;
    } catch (err) {
      throw new RuntimeError(`netavark setup for container ${input.container_name} printed no status JSON: ${out.slice(0, 200)}`, {
        cause: err,
      });
    }
  }

  async teardown(netnsPath: string, input: NetavarkOptions): Promise<void> {
    await this.#run('teardown', netnsPath, input);
  }

  async #run(command: 'setup' | 'teardown', netnsPath: string, input: NetavarkOptions): Promise<string> {
    const { netavarkPath, aardvarkPath, configDir } = this.options;
    const args = ['--config', configDir, '--rootless', 'false', '--aardvark-binary', aardvarkPath, command, netnsPath];
    const r = await run(netavarkPath, args, JSON.stringify(input));
    if (r.exitCode === 0) return r.stdout;
    const problems = parseProblems(r.stdout || r.stderr);
    throw new NetavarkError(
      `netavark ${command} of container ${input.container_name} (${input.container_id.slice(0, 12)}) in ${netnsPath} failed: ${problems.join('; ') || r.stderr || `exit status ${r.exitCode}`}`,
      problems,
      { details: { containerId: input.container_id, netnsPath, exitCode: r.exitCode, stderr: r.stderr } },
    );
  }
}

/** netavark prints `{"error": "..."}`; several failures arrive as one tab-indented list. */
function parseProblems(output: string): string[] {
  let message = output.trim();
  try {
    const parsed = JSON.parse(message) as { error?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
  } catch {
    // Not JSON: keep the raw text.
  }
  const listed = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('- '))
    .map((l) => l.slice(2));
  if (listed.length > 0) return listed;
  return message ? [message] : [];
}
