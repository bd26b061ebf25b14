// The docker CLI against corral's Docker-compatible service, one run; prints medians.
// Docker's own daemon is not installed on these machines (Debian's docker.io is absent),
// so the side-by-side column is left out; the corral CLI's own `run --rm` and the docker
// CLI's floor (`docker version` against the service) are shown for scale instead.
//   node --import tsx tools/bench/api.ts [--runs N] [--clients 8] [--lifecycles 24]
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import setupBundle from '../../packages/api-docker/test/global-setup.js';
import { CLI_BUNDLE, ServiceBox } from '../../packages/api-docker/test/harness.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const RUNS = opt('--runs', 10);
const CLIENTS = opt('--clients', 8);
const LIFECYCLES = opt('--lifecycles', 24);
resolve(import.meta.dirname, '../..');

function exec(bin: string, argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((res, rej) => {
    let stderr = '';
    const c = spawn(bin, argv, { stdio: ['ignore', 'ignore', 'pipe'], env });
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => (code === 0 ? res() : rej(new Error(`${bin} ${argv.join(' ')}: exit ${code}: ${stderr}`))));
  });
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function medianOf(n: number, fn: () => Promise<void>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push(await timed(fn));
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

async function main(): Promise<void> {
  await setupBundle();
  const box = await ServiceBox.create();
  const env = { ...process.env, DOCKER_HOST: `unix://${box.socket}`, DOCKER_CONFIG: join(box.dir, 'docker-config') };
  const docker = (argv: string[]) => exec('docker', argv, env);
  const corral = (argv: string[]) =>
    exec(process.execPath, [CLI_BUNDLE, '--root', join(box.dir, 'root'), '--runroot', join(box.dir, 'run'), '--config', join(box.dir, 'none.toml'), ...argv], env);
  const line = (what: string, ms: number, note = '') => console.log(`${what.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${note}`);
  try {
    await docker(['run', '--rm', 'busybox', 'true']); // warm-up
    const floor = await medianOf(RUNS, () => docker(['version', '--format', '{{.Server.APIVersion}}']));
    line('docker version (client floor)', floor);
    const runRm = await medianOf(RUNS, () => docker(['run', '--rm', 'busybox', 'true']));
    line('docker run --rm busybox true', runRm, '(dockerd here: ~420 ms per DESIGN.md)');
    const runRmNone = await medianOf(RUNS, () => docker(['run', '--rm', '--network', 'none', 'busybox', 'true']));
    line('docker run --rm --network none busybox true', runRmNone);
    const cliRunRm = await medianOf(RUNS, () => corral(['run', '--rm', 'busybox', 'true']));
    line('corral run --rm busybox true (the CLI)', cliRunRm);

    await docker(['run', '-d', '--name', 'bench', 'busybox', 'sleep', '600']);
    const execTrue = await medianOf(RUNS, () => docker(['exec', 'bench', 'true']));
    line('docker exec CTR true', execTrue, '(dockerd here: ~90 ms per DESIGN.md)');
    const pause = await medianOf(RUNS, async () => {
      await docker(['pause', 'bench']);
      await docker(['unpause', 'bench']);
    });
    line('docker pause + unpause', pause);
    await docker(['rm', '-f', 'bench']);

    let next = 0;
    const total = await timed(async () => {
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next++ < LIFECYCLES) await docker(['run', '--rm', 'busybox', 'true']);
        }),
      );
    });
    console.log(`${`run --rm lifecycles, ${CLIENTS} concurrent clients`.padEnd(44)} ${((LIFECYCLES * 1000) / total).toFixed(2).padStart(8)} /s (${LIFECYCLES} in ${(total / 1000).toFixed(1)} s)`);
    console.log(`ratios: run --rm / client floor ${(runRm / floor).toFixed(2)}, exec / client floor ${(execTrue / floor).toFixed(2)}, service run --rm / CLI run --rm ${(runRm / cliRunRm).toFixed(2)}`);
  } finally {
    await box.dispose();
  }
}

await main();
