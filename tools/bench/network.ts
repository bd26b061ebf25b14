// Network benchmark: what a bridge network adds to a container start + removal.
//   node --import tsx tools/bench/network.ts [--runs N]
// corral: network-netavark's setup + teardown on the default bridge (namespace, netavark,
//   /etc files, address in the state store), against none mode, where core calls nothing.
//   "cold": the container is the bridge's only user, so netavark creates and deletes the
//   bridge and the network's firewall chains every time; "warm": another container keeps
//   the bridge up, as on a machine with running containers.
// podman 4.3.1: `run --rm IMAGE true` on its default bridge against `--network none`,
//   private --root/--runroot, image imported from tools/images/busybox-rootfs.sh.
// The difference of podman's pair is its network cost; the ratio compares the two costs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NetavarkNetworkBackend } from '@corral/network-netavark';
import { MemoryStateStore } from '@corral/testkit/fakes/memory-state-store';
import type { NetworkSetupRequest } from '@corral/core';
import { unmountUnder } from '@corral/testkit/host-cleanup';
import { median, timedAsync as time } from './lib/measure.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const RUNS = opt('--runs', 10);
const here = resolve(import.meta.dirname, '../..');
const logger = { child: () => logger, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as any;

function sh(cmd: string, argv: string[]): string {
  return execFileSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

function request(network: string): NetworkSetupRequest {
  const id = randomBytes(32).toString('hex');
  return {
    containerId: id,
    containerName: `bench-${id.slice(0, 6)}`,
    hostname: id.slice(0, 12),
    network: {
      mode: 'bridge',
      attachments: [{ network, staticIps: [], staticMac: '', aliases: [] }],
      ports: [],
      dnsServers: [],
      dnsSearch: [],
      extraHosts: [],
    },
  };
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'corral-bench-network-'));
  const network = 'corral-bench';
  const backend = new NetavarkNetworkBackend({
    store: new MemoryStateStore(),
    runDir: join(work, 'run'),
    logger,
    defaultNetwork: network,
    defaultSubnet: '10.249.0.0/24',
    defaultInterface: 'corralbench0',
    interfacePrefix: 'corralbench',
    subnetPool: '10.249.0.0/16',
  });
  const cycle = async () => {
    const req = request(network);
    const r = await backend.setup(req);
    await backend.teardown({ ...req, netnsPath: r.netnsPath, status: r.status });
  };
  const podRoot = join(work, 'podman');
  const podman = (argv: string[]) =>
    sh('podman', ['--root', join(podRoot, 'root'), '--runroot', join(podRoot, 'run'), '--storage-driver', 'overlay', '--runtime', 'runc', ...argv]);

  // The floor: netavark's own setup + teardown with the JSON corral generated, run
  // back to back from here (namespace made beforehand, outside the timing).
  const rawNetavark = async (options: unknown, out: number[]) => {
    const ns = join(work, 'raw-ns');
    sh('touch', [ns]);
    sh('unshare', [`--net=${ns}`, 'true']);
    const nv = ['--config', join(work, 'raw-config'), '--aardvark-binary', '/usr/lib/podman/aardvark-dns'];
    const input = JSON.stringify(options);
    out.push(
      await time(() => {
        execFileSync('/usr/lib/podman/netavark', [...nv, 'setup', ns], { input, stdio: ['pipe', 'pipe', 'pipe'] });
        execFileSync('/usr/lib/podman/netavark', [...nv, 'teardown', ns], { input, stdio: ['pipe', 'pipe', 'pipe'] });
      }),
    );
    sh('umount', [ns]);
    await rm(ns);
  };
  const raw = { cold: [] as number[], warm: [] as number[] };
  const corral = { cold: [] as number[], warm: [] as number[], none: [] as number[] };
  const pod = { bridge: [] as number[], none: [] as number[] };
  let keeper: { req: NetworkSetupRequest; netnsPath: string; status: unknown } | undefined;
  try {
    await cycle(); // warm-up: default network in the store, binaries in the page cache
    for (let i = 0; i < RUNS; i++) corral.cold.push(await time(cycle));
    for (let i = 0; i < RUNS; i++) corral.none.push(await time(() => undefined));
    const req = request(network);
    const r = await backend.setup(req);
    keeper = { req, netnsPath: r.netnsPath, status: r.status };
    for (let i = 0; i < RUNS; i++) corral.warm.push(await time(cycle));
    const sample = request(network);
    const probe = await backend.setup(sample);
    await backend.teardown({ ...sample, netnsPath: probe.netnsPath, status: probe.status });
    const options = (probe.status as { options: unknown }).options;
    await mkdir(join(work, 'raw-config'), { recursive: true });
    for (let i = 0; i < RUNS; i++) await rawNetavark(options, raw.warm);
    await backend.teardown({ ...keeper.req, netnsPath: keeper.netnsPath, status: keeper.status });
    keeper = undefined;
    for (let i = 0; i < RUNS; i++) await rawNetavark(options, raw.cold);

    const tarball = join(work, 'busybox.tar');
    sh('bash', [join(here, 'tools/images/busybox-rootfs.sh'), '--tar', tarball]);
    podman(['import', '--quiet', tarball, 'localhost/bench-busybox:latest']);
    podman(['run', '--rm', '--network', 'none', 'localhost/bench-busybox', 'true']);
    podman(['run', '--rm', 'localhost/bench-busybox', 'true']);
    // Interleaved, so drift on a shared machine hits both sides alike.
    for (let i = 0; i < RUNS; i++) {
      pod.none.push(await time(() => podman(['run', '--rm', '--network', 'none', 'localhost/bench-busybox', 'true'])));
      pod.bridge.push(await time(() => podman(['run', '--rm', 'localhost/bench-busybox', 'true'])));
    }
  } finally {
    if (keeper) await backend.teardown({ ...keeper.req, netnsPath: keeper.netnsPath, status: keeper.status }).catch(() => undefined);
    try {
      podman(['rm', '--all', '--force']);
      podman(['rmi', '--all', '--force']);
    } catch {
      // Nothing was created.
    }
    // Not `podman system reset`: it also removes the host's podman networks, which are not ours.
    unmountUnder(work);
    await rm(work, { recursive: true, force: true });
  }

  const m = (xs: number[]) => median(xs);
  const podNet = m(pod.bridge) - m(pod.none);
  const rows: [string, number][] = [
    ['corral: network setup+teardown, default bridge (cold: bridge made and removed)', m(corral.cold)],
    ['corral: network setup+teardown, default bridge (warm: bridge stays)', m(corral.warm)],
    ['corral: none mode (no network call)', m(corral.none)],
    ['netavark alone: setup+teardown, same JSON (cold)', m(raw.cold)],
    ['netavark alone: setup+teardown, same JSON (warm)', m(raw.warm)],
    ['podman: run --rm --network none true', m(pod.none)],
    ['podman: run --rm true (default bridge)', m(pod.bridge)],
    ['podman: network share (bridge - none)', podNet],
  ];
  console.log(`median of ${RUNS} runs, ms`);
  for (const [what, ms] of rows) console.log(`${what.padEnd(84)} ${ms.toFixed(1).padStart(8)}`);
  console.log('');
  console.log(`podman bridge / none run                                   ${(m(pod.bridge) / m(pod.none)).toFixed(2)}x`);
  console.log(`corral network cost / podman network cost (cold)           ${(m(corral.cold) / podNet).toFixed(2)}x`);
  console.log(`corral network cost / podman network cost (warm)           ${(m(corral.warm) / podNet).toFixed(2)}x`);
  console.log(`corral / netavark alone (cold)                               ${(m(corral.cold) / m(raw.cold)).toFixed(2)}x`);
  console.log(`corral / netavark alone (warm)                               ${(m(corral.warm) / m(raw.warm)).toFixed(2)}x`);
  console.log(`corral network cost (warm) / podman run --rm --network none ${(m(corral.warm) / m(pod.none)).toFixed(2)}x`);
}

await main();
