import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@corral/core';
import { parseDetachKeys } from '@corral/core';
import { DetachScanner, checkpointArgs, conmonArgs, execStartError } from '../src/index.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../src/runtimes.js';

const base = {
  containerId: 'c1',
  uuid: 'c1',
  name: 'web',
  runtimePath: '/usr/sbin/runc',
  runtimeArgs: ['--root', '/run/r'],
  bundle: '/run/b',
  pidFile: '/run/b/pidfile',
  conmonPidFile: '/run/b/conmon.pid',
  exitDir: '/run/b/exit',
  persistDir: '/run/b/persist',
  logPath: '/run/b/ctr.log',
  logSizeMax: 0,
  terminal: false,
  stdin: false,
};

function pairs(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe('conmon arguments', () => {
  it('a container: API v1, ids, bundle, files, log, runtime args, exit command', () => {
    const a = conmonArgs({ ...base, logSizeMax: 4096, terminal: true, stdin: true, exitCommand: ['/usr/bin/corral', '--root', '/r', 'container', 'cleanup', 'c1'] });
    expect(a.slice(0, 2)).toEqual(['--api-version', '1']);
    expect(pairs(a, '-c')).toEqual(['c1']);
    expect(pairs(a, '-r')).toEqual(['/usr/sbin/runc']);
    expect(pairs(a, '-l')).toEqual(['k8s-file:/run/b/ctr.log']);
    expect(pairs(a, '--log-size-max')).toEqual(['4096']);
    expect(pairs(a, '--persist-dir')).toEqual(['/run/b/persist']);
    expect(pairs(a, '--runtime-arg')).toEqual(['--root', '/run/r']);
    expect(a).toContain('--full-attach');
    expect(a).toContain('-t');
    expect(a).toContain('-i');
    expect(pairs(a, '--exit-command')).toEqual(['/usr/bin/corral']);
    expect(pairs(a, '--exit-command-arg')).toEqual(['--root', '/r', 'container', 'cleanup', 'c1']);
    expect(a).not.toContain('--exec');
  });

  it('no log, an attached exec', () => {
    const a = conmonArgs({ ...base, uuid: 's1', logPath: '', logSizeMax: 100, exec: { processSpec: '/run/b/exec/s1/process.json', attach: true } });
    expect(pairs(a, '-l')).toEqual(['none']);
    expect(a).not.toContain('--log-size-max');
    expect(pairs(a, '-u')).toEqual(['s1']);
    expect(pairs(a, '--exec-process-spec')).toEqual(['/run/b/exec/s1/process.json']);
    expect(a).toContain('--exec');
    expect(a).toContain('--exec-attach');
  });

  it('a restore: CRIU as a runtime flag, the image path and the restore options', () => {
    const a = conmonArgs({
      ...base,
      restore: { imagePath: '/ck/img', workPath: '/ck/work', criuPath: '/opt/criu/criu', tcpEstablished: true, fileLocks: true },
    });
    expect(pairs(a, '--restore')).toEqual(['/ck/img']);
    expect(pairs(a, '--runtime-arg')).toEqual(['--root', '/run/r', '--criu', '/opt/criu/criu']);
    expect(pairs(a, '--runtime-opt')).toEqual(['--work-path=/ck/work', '--tcp-established', '--file-locks']);
  });

  it('checkpoint arguments for runc and runsc', () => {
    const o = { imagePath: '/i', workPath: '/w', criuPath: '/c', keepRunning: true, tcpEstablished: true, fileLocks: false };
    expect(checkpointArgs({ kind: 'runc' }, 'c1', o)).toEqual([
      '--criu', '/c', 'checkpoint', '--image-path', '/i', '--work-path', '/w', '--leave-running', '--tcp-established', 'c1',
    ]);
    expect(checkpointArgs({ kind: 'runsc' }, 'c1', o)).toEqual(['checkpoint', '--image-path', '/i', '--leave-running', 'c1']);
  });
});

describe('detach keys', () => {
  it('finds the sequence across chunks and passes a broken prefix on', () => {
    const s = new DetachScanner(parseDetachKeys('ctrl-p,ctrl-q'));
    expect(s.feed(Buffer.from('ab\x10'))).toEqual({ pass: Buffer.from('ab'), detached: false });
    expect(s.feed(Buffer.from('c'))).toEqual({ pass: Buffer.from('\x10c'), detached: false });
    expect(s.feed(Buffer.from('\x10\x10'))).toEqual({ pass: Buffer.from('\x10'), detached: false });
    expect(s.feed(Buffer.from('\x11rest'))).toEqual({ pass: Buffer.from(''), detached: true });
  });
});

describe('exec start errors', () => {
  it("maps the runtime's words to 126 and 127 as podman does", () => {
    const nf = execStartError('exec failed: unable to start container process: exec: "nope": executable file not found in $PATH', 'c1', ['nope']);
    expect(nf).toMatchObject({ code: ErrorCode.ExecNotFound, details: { exitCode: 127 } });
    expect(execStartError('stat /bin/nope: no such file or directory', 'c1', ['/bin/nope']).code).toBe(ErrorCode.ExecNotFound);
    expect(execStartError('exec: "/etc": permission denied', 'c1', ['/etc'])).toMatchObject({ code: ErrorCode.ExecCannotInvoke, details: { exitCode: 126 } });
    expect(execStartError('something else', 'c1', ['x']).code).toBe(ErrorCode.RuntimeError);
  });
});

describe('finding a runtime on PATH', () => {
  it('skips missing entries, directories and files without an execute bit', () => {
    const root = mkdtempSync(join(tmpdir(), 'corral-path-'));
    try {
      const [empty, dir, plain, exe] = ['empty', 'dir', 'plain', 'exe'].map((d) => join(root, d));
      for (const d of [empty, dir, plain, exe]) mkdirSync(d);
      mkdirSync(join(dir, 'tool'));
      writeFileSync(join(plain, 'tool'), '#!/bin/sh\n', { mode: 0o644 });
      writeFileSync(join(exe, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
      // A PATH entry that is a file makes stat fail with ENOTDIR: not here either.
      const path = [join(root, 'missing'), join(plain, 'tool'), empty, dir, plain, exe].join(':');
      expect(findOnPath('tool', path)).toBe(join(exe, 'tool'));
      expect(findOnPath('other', path)).toBeUndefined();
      expect(findOnPath(join(plain, 'tool'), path)).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
