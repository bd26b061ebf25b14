// The docker CLI (28.x) against corral's Docker-compatible service and, side by side in the
// same run, against Docker's own daemon (Debian's docker.io 20.10, started by
// tools/bench/dockerd.sh on a private socket with its own data, exec and containerd roots,
// --iptables=false --ip6tables=false --ip-forward=false --bridge=none). Both have the same
// busybox image (tools/images/busybox-rootfs.sh) and run it with the same runc
// (/usr/sbin/runc). Timed rows are interleaved run by run (the order alternates); prints
// medians and the ratio corral/docker (> 1: corral slower; for lifecycles per second, < 1).
// With --bridge=none, dockerd's default `docker run` has no network (lo only) while
// corral's default is its bridge; the `--network none` row is like for like. The rows
// print which interfaces each side's default container actually saw.
//   node --import tsx tools/bench/api.ts [--runs N] [--clients 8] [--lifecycles 48]
//     [--dockerd | --no-dockerd]
// dockerd side: used if dockerd is installed; --dockerd installs Debian's docker.io first
// if needed (dockerd.sh checks apt won't replace runc or podman); --no-dockerd leaves it out.
// Everything stays on unix sockets; containers and the dockerd are removed at the end,
// also on failure or SIGINT/SIGTERM.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import setupBundle from '../../packages/api-docker/test/global-setup.js';
import { CLI, ServiceBox } from '../../packages/api-docker/test/harness.js';
import { runCommand } from '@corral/testkit/child-process';
import { pidsMatching } from '@corral/testkit/host-cleanup';
import { median, timedAsync as timed } from './lib/measure.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const RUNS = opt('--runs', 10);
const CLIENTS = opt('--clients', 8);
const LIFECYCLES = opt('--lifecycles', 48);
const repo = resolve(import.meta.dirname, '../..');
const DOCKERD_SH = join(repo, 'tools/bench/dockerd.sh');

function hasDockerd(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v dockerd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const WANT_DOCKERD = args.includes('--no-dockerd') ? false : args.includes('--dockerd') || hasDockerd();

let interrupted = false;
const running = new Set<Promise<unknown>>();

function run(bin: string, argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  if (interrupted) return Promise.reject(new Error('interrupted'));
  const p = runCommand(bin, argv, { env, timeoutMs: 600_000 }).then((r) => {
    if (r.code !== 0) throw new Error(`${bin} ${argv.join(' ')}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  });
  const tracked = p.catch(() => undefined).finally(() => running.delete(tracked));
  running.add(tracked);
  return p;
}

type Docker = (argv: string[]) => Promise<string>;
interface Side {
  name: 'corral' | 'docker';
  docker: Docker;
  /** Waits until the work a command left behind (conmon exit commands, shims) is over. */
  settle: () => Promise<void>;
  /** Takes the processes naming the side's directory now (daemons, a running container) as its quiet state. */
  rebase: () => Promise<void>;
}

/** Pids whose command line names dir, other than this process. */
const pidsNaming = (dir: string) => pidsMatching((cmdline) => cmdline.includes(dir));

function settler(dir: string): Pick<Side, 'settle' | 'rebase'> {
  let quiet = new Set<number>();
  return {
    rebase: async () => {
      quiet = await pidsNaming(dir);
    },
    settle: async () => {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const busy = [...(await pidsNaming(dir))].some((pid) => !quiet.has(pid));
        if (!busy) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/**
 * Medians of n runs of fn on every side, interleaved: round i runs the sides in turn, the
 * first alternating. Between runs, what the last one left running in the background is let
 * finish (not timed), so that it does not land in the other side's time.
 */
async function medians(sides: Side[], n: number, fn: (docker: Docker) => Promise<unknown>): Promise<number[]> {
  const xs = sides.map(() => [] as number[]);
  for (let i = 0; i < n; i++) {
    const order = sides.map((_, k) => k);
    if (i % 2) order.reverse();
    for (const k of order) {
      xs[k]!.push(await timed(() => fn(sides[k]!.docker)));
      await sides[k]!.settle();
    }
  }
  return xs.map(median);
}

/** Lifecycles per second: `clients` loops of `docker run --rm [...extra] busybox true`, `total` in all. */
async function lifecycles(docker: Docker, clients: number, total: number, extra: string[]): Promise<{ rate: number; ms: number }> {
  let next = 0;
  const ms = await timed(() =>
    Promise.all(
      Array.from({ length: clients }, async () => {
        while (next++ < total) await docker(['run', '--rm', ...extra, 'busybox', 'true']);
      }),
    ),
  );
  return { rate: (total * 1000) / ms, ms };
}

/** The interfaces and IPv4 addresses a default `docker run` container sees, e.g. "lo, eth0 10.88.0.5/16". */
async function defaultNetwork(docker: Docker): Promise<string> {
  const out = await docker(['run', '--rm', 'busybox', 'ip', '-o', 'addr']);
  const seen = new Map<string, string[]>();
  for (const l of out.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+(inet6?)\s+(\S+)/.exec(l);
    if (!m) continue;
    const list = seen.get(m[1]!) ?? [];
    if (m[2] === 'inet') list.push(m[3]!);
    seen.set(m[1]!, list);
  }
  return [...seen].map(([ifc, addrs]) => [ifc, ...addrs].join(' ')).join(', ') || '(none)';
}

/** Undo steps, run last first, once: on the way out of main or on a signal, whichever comes first. */
const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    // Commands in flight finish (or fail) first, so that no container is created behind the removal.
    await Promise.race([Promise.all(running), new Promise((r) => setTimeout(r, 30_000))]);
    for (const fn of cleanups.reverse()) await fn().catch((e: unknown) => console.error(`cleanup: ${String(e)}`));
  })();
  return cleaning;
}
for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: cleaning up`);
    interrupted = true;
    void cleanup().finally(() => process.exit(128 + n));
  });
}

async function startDockerd(): Promise<Side> {
  // dockerd.sh prints the directory, then the socket; its progress goes to stderr.
  const out = execFileSync('bash', [DOCKERD_SH, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [dir, socket] = out.trim().split('\n').slice(-2);
  if (!dir || !socket?.startsWith('unix://')) throw new Error(`dockerd.sh start printed ${JSON.stringify(out)}`);
  cleanups.push(async () => {
    execFileSync('bash', [DOCKERD_SH, 'stop', dir], { stdio: 'inherit' });
  });
  const env = { ...process.env, DOCKER_HOST: socket, DOCKER_CONFIG: join(dir, 'docker-config') };
  return { name: 'docker', docker: (argv) => run('docker', argv, env), ...settler(dir) };
}

async function main(): Promise<void> {
  await setupBundle();
  const box = await ServiceBox.create();
  cleanups.push(() => box.dispose());
  const env = { ...process.env, DOCKER_HOST: `unix://${box.socket}`, DOCKER_CONFIG: join(box.dir, 'docker-config') };
  const corralSide: Side = { name: 'corral', docker: (argv) => run('docker', argv, env), ...settler(box.dir) };
  const corralCli = (argv: string[]) =>
    run(CLI, ['--root', join(box.dir, 'root'), '--runroot', join(box.dir, 'run'), '--config', join(box.dir, 'none.toml'), ...argv], env);
  const sides: Side[] = [corralSide];
  if (WANT_DOCKERD) sides.push(await startDockerd());
  const withDocker = sides.length === 2;

  const fmt = (ms: number | undefined) => (ms === undefined ? '' : `${ms.toFixed(1)} ms`);
  const header = () => {
    const cols = withDocker ? `${'corral'.padStart(11)} ${'docker'.padStart(11)} ${'corral/docker'.padStart(14)}` : 'corral'.padStart(11);
    console.log(`\n${'docker CLI 28.x against'.padEnd(50)} ${cols}`);
  };
  const row = (what: string, c: number, d?: number, note = '') => {
    const ratio = d === undefined ? '' : (c / d).toFixed(2);
    console.log(`${what.padEnd(50)} ${fmt(c).padStart(11)} ${withDocker ? `${fmt(d).padStart(11)} ${ratio.padStart(14)}` : ''}  ${note}`.trimEnd());
  };

  for (const s of sides) {
    await s.rebase();
    await s.docker(['run', '--rm', 'busybox', 'true']); // warm-up
    await s.settle();
  }
  for (const s of sides) console.log(`${s.name}: a default \`docker run\` container sees: ${await defaultNetwork(s.docker)}`);
  if (withDocker) console.log(`docker: ${(await sides[1]!.docker(['version', '--format', 'server {{.Server.Version}}, API {{.Server.APIVersion}}'])).trim()} (dockerd.sh, --bridge=none)`);
  header();

  const [floor, dFloor] = await medians(sides, RUNS, (docker) => docker(['version', '--format', '{{.Server.APIVersion}}']));
  row('docker version (client floor)', floor!, dFloor);
  const [runRm, dRunRm] = await medians(sides, RUNS, (docker) => docker(['run', '--rm', 'busybox', 'true']));
  row('docker run --rm busybox true (default network)', runRm!, dRunRm, withDocker ? 'corral: bridge, docker: none' : '(dockerd: ~420 ms per DESIGN.md)');
  const [runRmNone, dRunRmNone] = await medians(sides, RUNS, (docker) => docker(['run', '--rm', '--network', 'none', 'busybox', 'true']));
  row('docker run --rm --network none busybox true', runRmNone!, dRunRmNone, withDocker ? 'both: none' : '');
  const [cliRunRm] = await medians([{ ...corralSide, docker: corralCli }], RUNS, (corral) => corral(['run', '--rm', 'busybox', 'true']));
  row('corral run --rm busybox true (the CLI, no service)', cliRunRm!, undefined, 'corral: bridge');

  for (const s of sides) {
    await s.docker(['run', '-d', '--name', 'bench', 'busybox', 'sleep', '600']);
    await new Promise((r) => setTimeout(r, 500)); // its conmon or shim stays: part of the quiet state
    await s.rebase();
  }
  const [execTrue, dExecTrue] = await medians(sides, RUNS, (docker) => docker(['exec', 'bench', 'true']));
  row('docker exec CTR true', execTrue!, dExecTrue, withDocker ? '' : '(dockerd: ~90 ms per DESIGN.md)');
  const [pause, dPause] = await medians(sides, RUNS, async (docker) => {
    await docker(['pause', 'bench']);
    await docker(['unpause', 'bench']);
  });
  row('docker pause + unpause', pause!, dPause);
  for (const s of sides) {
    await s.docker(['rm', '-f', 'bench']);
    await s.settle();
    await s.rebase();
  }

  // Back to back, corral first; a rate's ratio < 1 means corral does fewer per second.
  const rate = (r?: { rate: number; ms: number }) => (r ? `${r.rate.toFixed(2)} /s` : '');
  for (const [label, extra, note] of [
    ['default network', [], withDocker ? 'corral: bridge, docker: none' : 'bridge'],
    ['--network none', ['--network', 'none'], withDocker ? 'both: none' : 'none'],
  ] as const) {
    const rates = [];
    for (const s of sides) rates.push(await lifecycles(s.docker, CLIENTS, LIFECYCLES, [...extra]));
    const [c, d] = rates;
    const what = `run --rm ${label}: lifecycles/s, ${CLIENTS} clients`;
    const took = `${LIFECYCLES} in ${(c!.ms / 1000).toFixed(1)} s${d ? ` / ${(d.ms / 1000).toFixed(1)} s` : ''}`;
    console.log(
      `${what.padEnd(50)} ${rate(c).padStart(11)} ${withDocker ? `${rate(d).padStart(11)} ${(c!.rate / d!.rate).toFixed(2).padStart(14)}` : ''}  ${note}; ${took}`,
    );
  }
  console.log(`\ncorral: run --rm / client floor ${(runRm! / floor!).toFixed(2)}, exec / client floor ${(execTrue! / floor!).toFixed(2)}, service run --rm / CLI run --rm ${(runRm! / cliRunRm!).toFixed(2)}`);
  if (withDocker) console.log(`docker: run --rm / client floor ${(dRunRm! / dFloor!).toFixed(2)}, exec / client floor ${(dExecTrue! / dFloor!).toFixed(2)}`);
}

try {
  await main();
} catch (e) {
  if (!interrupted) throw e; // after a signal, its handler exits once cleanup is done
} finally {
  await cleanup();
}
