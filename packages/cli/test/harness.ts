import { execFileSync } from 'node:child_process';
import { runCommand, type CommandResult } from '@corral/testkit/child-process';
import { unmountUnder, waitForProcessesUsing } from '@corral/testkit/host-cleanup';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The `corral` command as users run it (the bundle's sh launcher). */
export const CORRAL = join(repo, 'packages/cli/dist/corral');

export type Result = CommandResult;

/** A private corral installation: its own roots, with the busybox image imported. */
export class Sandbox {
  private constructor(readonly dir: string) {}

  static async create(): Promise<Sandbox> {
    const dir = await mkdtemp(join(tmpdir(), 'corral-cli-'));
    const box = new Sandbox(dir);
    const tar = join(dir, 'busybox.tar');
    execFileSync(join(repo, 'tools/images/busybox-rootfs.sh'), ['--tar', tar]);
    const r = await box.run(['import', '--quiet', tar, 'busybox']);
    if (r.code !== 0) throw new Error(`import failed: ${r.stderr}`);
    return box;
  }

  get root(): string {
    return join(this.dir, 'root');
  }
  get runRoot(): string {
    return join(this.dir, 'run');
  }

  /** Runs `corral ARGS` against this sandbox; resolves when it exits. */
  run(args: string[], options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
    return runCommand(CORRAL, ['--root', this.root, '--runroot', this.runRoot, ...args], {
      ...options,
      env: { ...process.env, CORRAL_CONFIG: join(this.dir, 'none.toml'), ...options.env },
    });
  }

  /** Removes every container (forcibly) and the sandbox's files. */
  async dispose(): Promise<void> {
    await this.run(['rm', '--all', '--force', '--time', '0']);
    await waitForProcessesUsing(this.dir);
    unmountUnder(this.dir);
    await rm(this.dir, { recursive: true, force: true });
  }
}
