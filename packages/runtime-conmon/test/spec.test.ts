import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@corral/core';
import { runtimeTestConfig, runtimeTestRequest } from '@corral/testkit/suites/oci-runtime';
import { DEFAULT_CAPABILITIES, buildCapabilities, buildRlimits, buildSeccomp, buildSpec, hostHardLimits, resolveUser } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'corral-spec-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function rootfsWith(passwd: string, group: string): string {
  const dir = mkdtempSync(join(root, 'rootfs-'));
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'etc/passwd'), passwd);
  writeFileSync(join(dir, 'etc/group'), group);
  return dir;
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534::/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nuser:x:1000:\nwheel:x:10:user,other\naudio:x:29:user\nnogroup:x:65534:\n';
const rootfs = rootfsWith(PASSWD, GROUP);
const host = { lastCap: 40, hardLimits: { RLIMIT_NOFILE: 20000, RLIMIT_NPROC: 96369 } };

describe('user resolution in the rootfs', () => {
  it('resolves names, numbers, groups and supplementary groups', () => {
    expect(resolveUser(rootfs, '', 'c')).toEqual({ uid: 0, gid: 0, additionalGids: [], home: '/root' });
    expect(resolveUser(rootfs, 'user', 'c')).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 10, 29], home: '/home/user' });
    expect(resolveUser(rootfs, 'user:wheel', 'c')).toMatchObject({ uid: 1000, gid: 10, additionalGids: [10, 29] });
    expect(resolveUser(rootfs, '1000', 'c')).toMatchObject({ uid: 1000, gid: 1000 });
    expect(resolveUser(rootfs, '4242:7', 'c')).toEqual({ uid: 4242, gid: 7, additionalGids: [7], home: '/' });
  });

  it('an unknown user or group name is an invalid argument naming it', () => {
    expect(() => resolveUser(rootfs, 'ghost', 'container x')).toThrow(/container x: user "ghost" not found/);
    expect(() => resolveUser(rootfs, 'user:ghosts', 'c')).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArg }));
  });

  it('does not follow a symlinked /etc/passwd out of the rootfs', () => {
    const evil = mkdtempSync(join(root, 'evil-'));
    mkdirSync(join(evil, 'etc'));
    writeFileSync(join(root, 'host-passwd'), 'admin:x:0:0::/:/bin/sh\n');
    symlinkSync(join(root, 'host-passwd'), join(evil, 'etc/passwd'));
    expect(() => resolveUser(evil, 'admin', 'c')).toThrow(/not found/);
  });
});

describe('capabilities, rlimits, seccomp', () => {
  it("podman's defaults, cap-add and cap-drop, ALL, privileged", () => {
    expect(buildCapabilities({ capAdd: [], capDrop: [], privileged: false, uid: 0 }, 40).bounding).toEqual(
      expect.arrayContaining(DEFAULT_CAPABILITIES),
    );
    const c = buildCapabilities({ capAdd: ['net_admin'], capDrop: ['CAP_CHOWN', 'kill'], privileged: false, uid: 0 }, 40);
    expect(c.bounding).toContain('CAP_NET_ADMIN');
    expect(c.bounding).not.toContain('CAP_CHOWN');
    expect(c.effective).toEqual(c.bounding);
    const only = buildCapabilities({ capAdd: ['SETUID'], capDrop: ['ALL'], privileged: false, uid: 0 }, 40);
    expect(only.bounding).toEqual(['CAP_SETUID']);
    expect(buildCapabilities({ capAdd: [], capDrop: [], privileged: true, uid: 0 }, 40).bounding).toHaveLength(41);
    expect(buildCapabilities({ capAdd: [], capDrop: [], privileged: true, uid: 0 }, 37).bounding).toHaveLength(38);
    const user = buildCapabilities({ capAdd: ['NET_RAW'], capDrop: [], privileged: false, uid: 1000 }, 40);
    expect(user.effective).toEqual(['CAP_NET_RAW']);
    expect(() => buildCapabilities({ capAdd: ['CAP_FLY'], capDrop: [], privileged: false, uid: 0 }, 40)).toThrow(/unknown capability/);
  });

  it('rlimits never exceed the hard limits of the host', () => {
    expect(buildRlimits({ RLIMIT_NOFILE: 20000, RLIMIT_NPROC: Infinity })).toEqual([
      { type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 },
      { type: 'RLIMIT_NPROC', hard: 4194304, soft: 4194304 },
    ]);
    const limits = hostHardLimits('Max processes             96369                96369                processes\nMax open files            1024                 20000                files\n');
    expect(limits).toEqual({ RLIMIT_NPROC: 96369, RLIMIT_NOFILE: 20000 });
  });

  it('the default seccomp profile denies the usual syscalls unless the capability is held', () => {
    const plain = buildSeccomp(DEFAULT_CAPABILITIES, 'x64');
    expect(plain.defaultAction).toBe('SCMP_ACT_ALLOW');
    expect(plain.architectures).toContain('SCMP_ARCH_X86_64');
    const denied = plain.syscalls[0]!;
    expect(denied).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
    for (const s of ['mount', 'kexec_load', 'ptrace', 'keyctl', 'bpf', 'unshare']) expect(denied.names).toContain(s);
    const admin = buildSeccomp([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'], 'x64').syscalls[0]!;
    expect(admin.names).not.toContain('mount');
    expect(admin.names).not.toContain('ptrace');
    expect(admin.names).toContain('keyctl');
  });
});

describe('the OCI spec', () => {
  const spec = (overrides: Parameters<typeof runtimeTestConfig>[0] = {}, netnsPath = '') => {
    const req = runtimeTestRequest(runtimeTestConfig({ command: ['sh'], ...overrides }), rootfs);
    return buildSpec({ ...req, netnsPath }, host);
  };

  it('process, hostname, root, annotations', () => {
    const s = spec({
      id: 'abcdef0123456789',
      env: ['PATH=/bin', 'A=1'],
      workingDir: '/srv',
      user: 'user',
      terminal: true,
      readOnly: true,
      annotations: { 'io.x': 'y' },
    });
    expect(s.process).toMatchObject({ args: ['sh'], cwd: '/srv', terminal: true, user: { uid: 1000, gid: 1000, additionalGids: [1000, 10, 29] } });
    expect(s.process.env).toEqual(['PATH=/bin', 'A=1', 'HOME=/home/user', 'HOSTNAME=abcdef012345', 'TERM=xterm']);
    expect(s.hostname).toBe('abcdef012345');
    expect(s.root).toEqual({ path: rootfs, readonly: true });
    expect(s.annotations).toEqual({ 'io.x': 'y' });
    expect(s.process.noNewPrivileges).toBe(true);
    expect(s.process.rlimits.find((r) => r.type === 'RLIMIT_NOFILE')).toEqual({ type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 });
  });

  it('mounts: kernel filesystems, generated /etc files, bind mounts', () => {
    const s = buildSpec(
      {
        ...runtimeTestRequest(
          runtimeTestConfig({ mounts: [{ source: '/srv/data', destination: '/data', readOnly: true, options: ['private'] }] }),
          rootfs,
        ),
        etcFiles: { hosts: '/run/x/hosts', resolvConf: '/run/x/resolv.conf' },
      },
      host,
    );
    const byDest = Object.fromEntries(s.mounts.map((m) => [m.destination, m]));
    for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']) expect(byDest[d]).toBeDefined();
    expect(byDest['/sys']!.options).toContain('ro');
    expect(byDest['/sys/fs/cgroup']!.options).toContain('ro');
    expect(byDest['/etc/hosts']).toMatchObject({ type: 'bind', source: '/run/x/hosts' });
    expect(byDest['/etc/resolv.conf']).toMatchObject({ source: '/run/x/resolv.conf' });
    expect(byDest['/etc/hostname']).toBeUndefined();
    expect(byDest['/data']).toEqual({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'ro', 'private'] });
    expect(() => spec({ mounts: [{ source: 'rel', destination: '/x', readOnly: false, options: [] }] })).toThrow(/must be absolute/);
  });

  it('namespaces by network mode', () => {
    const types = (s: ReturnType<typeof spec>) => s.linux.namespaces;
    const none = spec();
    expect(types(none).map((n) => n.type).sort()).toEqual(['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
    expect(types(none).find((n) => n.type === 'network')!.path).toBeUndefined();
    const hostNet = spec({ network: { mode: 'host', attachments: [], ports: [], dnsServers: [], dnsSearch: [], extraHosts: [] } });
    expect(types(hostNet).some((n) => n.type === 'network')).toBe(false);
    const bridged = spec({ network: { mode: 'bridge', attachments: [], ports: [], dnsServers: [], dnsSearch: [], extraHosts: [] } }, '/run/netns/x');
    expect(types(bridged).find((n) => n.type === 'network')).toEqual({ type: 'network', path: '/run/netns/x' });
  });

  it('cgroup path and limits; masked paths and seccomp unless privileged', () => {
    const s = spec({ id: 'cafe', resources: { memory: 1 << 26, cpus: 1.5, pidsLimit: 64 } });
    expect(s.linux.cgroupsPath).toBe('/corral/cafe');
    expect(s.linux.resources).toMatchObject({ memory: { limit: 1 << 26 }, cpu: { quota: 150000, period: 100000 }, pids: { limit: 64 } });
    expect(s.linux.maskedPaths).toContain('/proc/kcore');
    expect(s.linux.readonlyPaths).toContain('/proc/sys');
    expect(s.linux.seccomp).toBeDefined();
    const p = spec({ privileged: true });
    expect(p.linux.maskedPaths).toEqual([]);
    expect(p.linux.seccomp).toBeUndefined();
    expect(p.process.noNewPrivileges).toBe(false);
    expect(p.mounts.find((m) => m.destination === '/sys')!.options).not.toContain('ro');
    expect(spec().linux.resources).toEqual({ devices: [{ allow: false, access: 'rwm' }] });
  });
});
