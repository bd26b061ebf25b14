import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `corral system service` as a child process: the bundled CLI, as users start it. */
const corral = join(dirname(fileURLToPath(import.meta.url)), '../dist/cli/corral');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-api-svc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

function startService(args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(corral, ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), 'system', 'service', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CORRAL_CONFIG: join(dir, 'none.toml') },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, exited };
}

async function waitForSocket(path: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    if (await stat(path).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no socket at ${path}`);
}

function ping(socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/_ping' }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('corral system service', () => {
  it('listens on the URI with mode 0660 and root\'s group, and leaves after --time idle seconds', async () => {
    const sock = join(dir, 'idle', 'corral.sock');
    const { child, exited } = startService(['--time', '2', `unix://${sock}`]);
    await waitForSocket(sock, child);
    const st = await stat(sock);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o660);
    expect(st.gid).toBe(0);
    expect(await ping(sock)).toBe('OK');
    const { code, stderr } = await exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    await expect(stat(sock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('with --time 0 it serves until SIGTERM; a bad URI is an error', async () => {
    const sock = join(dir, 'forever.sock');
    const { child, exited } = startService(['--time', '0', `unix://${sock}`]);
    await waitForSocket(sock, child);
    await new Promise((r) => setTimeout(r, 500));
    expect(await ping(sock)).toBe('OK');
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);

    const bad = startService(['tcp://127.0.0.1:1']);
    const result = await bad.exited;
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/invalid service URI "tcp:\/\/127\.0\.0\.1:1"/);
  });
});
