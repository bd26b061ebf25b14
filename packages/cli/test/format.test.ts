import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../src/format/go-template.js';
import { alignColumns, formatRows, humanDuration } from '../src/format/output.js';
import { parseCommandArgs } from '../src/args.js';
import { parseBytes, parsePort, parseVolume, toCreateOptions } from '../src/commands/create-options.js';
import { CREATE_OPTIONS } from '../src/commands/create-options.js';

describe('Go templates (podman --format)', () => {
  const data = { ID: 'abc', State: { Status: 'running' }, Labels: { a: '1' }, Names: ['x', 'y'], Empty: [] };
  it('fields, nested fields, json, index, range, if/else and trim markers', () => {
    expect(compileTemplate('{{.ID}} {{.State.Status}}')(data)).toBe('abc running');
    expect(compileTemplate('{{json .Labels}}')(data)).toBe('{"a":"1"}');
    expect(compileTemplate('{{index .Labels "a"}}')(data)).toBe('1');
    expect(compileTemplate('{{range .Names}}<{{.}}>{{end}}')(data)).toBe('<x><y>');
    expect(compileTemplate('{{if .Empty}}yes{{else}}no{{end}}')(data)).toBe('no');
    expect(compileTemplate('a {{- .ID -}} b')(data)).toBe('aabcb');
    expect(compileTemplate('{{.Labels}}')(data)).toBe('map[a:1]');
    expect(compileTemplate('{{upper .ID}}')(data)).toBe('ABC');
  });
  it('errors name what is wrong', () => {
    expect(() => compileTemplate('{{.Nope}}')(data)).toThrow(/can't evaluate field Nope/);
    expect(() => compileTemplate('{{range .Names}}')).toThrow(/missing \{\{end\}\}/);
    expect(() => compileTemplate('{{frob .ID}}')(data)).toThrow(/function "frob" not defined/);
    // As in Go, an unknown function is a parse error: it fails with no rows to render.
    expect(() => compileTemplate('{{frob .ID}}')).toThrow(/function "frob" not defined/);
    expect(() => compileTemplate('{{join .Names}}')).toThrow(/wrong number of args for join: want 2 got 1/);
    expect(() => compileTemplate('{{printf}}')).toThrow(/wrong number of args for printf: want at least 1 got 0/);
    expect(() => compileTemplate('{{upper .ID .ID}}')).toThrow(/wrong number of args for upper: want 1 got 2/);
  });
  it('prints maps with their keys in byte order, as Go does', () => {
    expect(compileTemplate('{{.Labels}}')({ Labels: { b: '1', B: '2', a: '3' } })).toBe('map[B:2 a:3 b:1]');
  });
  it('renders a compiled template for many rows, each with its own values', () => {
    const t = compileTemplate('{{.ID}}\\t{{if .Up}}up{{else}}down{{end}}');
    expect([{ ID: 'a', Up: true }, { ID: 'b', Up: false }].map(t)).toEqual(['a\tup', 'b\tdown']);
  });
  it('tables align like Go tabwriter with podman settings', () => {
    expect(alignColumns(['A\tBB\tC', 'xxxxxxxxxxxxxx\ty\tz'])).toBe('A               BB          C\nxxxxxxxxxxxxxx  y           z\n');
    expect(formatRows([{ ID: '1' }], 'table {{.ID}}', { ID: 'CONTAINER ID' })).toBe('CONTAINER ID\n1\n');
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(1_500)).toBe('1 second');
    expect(humanDuration(90_000)).toBe('About a minute');
    expect(humanDuration(3 * 3_600_000)).toBe('3 hours');
  });
});

describe('argument parsing', () => {
  it('stops at the first positional for run, so the command keeps its flags', () => {
    const p = parseCommandArgs(['-it', '--name', 'x', '-e', 'A=1', '-e', 'B=2', 'busybox', 'ls', '-l', '--all'], CREATE_OPTIONS, true);
    expect(p.values.interactive).toBe(true);
    expect(p.values.tty).toBe(true);
    expect(p.values.env).toEqual(['A=1', 'B=2']);
    expect(p.positionals).toEqual(['busybox', 'ls', '-l', '--all']);
  });
  it('takes --flag=true/false for booleans, as podman does; the last one wins', () => {
    const options = { stream: { type: 'boolean' }, all: { type: 'boolean', short: 'a' }, name: { type: 'string' } } as const;
    expect(parseCommandArgs(['--stream=false'], options, false).values).toEqual({ stream: false });
    expect(parseCommandArgs(['--stream=true', '--name=x=y'], options, false).values).toEqual({ stream: true, name: 'x=y' });
    expect(parseCommandArgs(['--stream', '--stream=0'], options, false).values).toEqual({ stream: false });
    expect(parseCommandArgs(['--stream=f', '--stream'], options, false).values).toEqual({ stream: true });
    expect(parseCommandArgs(['-a', 'IMG', '--all=false'], options, true)).toEqual({ values: { all: true }, positionals: ['IMG', '--all=false'] });
    expect(() => parseCommandArgs(['--stream=maybe'], options, false)).toThrow(/invalid argument "maybe" for "--stream" flag/);
  });

  it('refuses unknown flags, naming them', () => {
    expect(() => parseCommandArgs(['--bogus', 'busybox'], CREATE_OPTIONS, true)).toThrow(/--bogus/);
  });
  it('parses ports, volumes and sizes, refusing bad ones', () => {
    expect(parsePort('127.0.0.1:8080:80/udp')).toEqual([{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp', range: 1 }]);
    expect(parsePort('8000-8001:80-81')[0]).toMatchObject({ hostPort: 8000, containerPort: 80, range: 2 });
    expect(() => parsePort('99999:80')).toThrow(/invalid port/);
    expect(() => parsePort('80/sctp')).toThrow(/protocol/);
    expect(parseVolume('/h:/c:ro')).toEqual({ source: '/h', destination: '/c', readOnly: true, options: [] });
    expect(() => parseVolume('named:/c')).toThrow(/named volumes/);
    expect(parseBytes('512m')).toBe(512 * 1024 * 1024);
    expect(() => parseBytes('lots')).toThrow(/invalid size/);
  });
  it('builds create options from flags', () => {
    const { values, positionals } = parseCommandArgs(
      ['--rm', '--restart', 'no', '-p', '8080:80', '--entrypoint', '["/bin/sh","-c"]', '-l', 'a=b', 'busybox', 'echo hi'],
      CREATE_OPTIONS,
      true,
    );
    const o = toCreateOptions(values, positionals);
    expect(o).toMatchObject({ image: 'busybox', command: ['echo hi'], entrypoint: ['/bin/sh', '-c'], autoRemove: true, labels: { a: 'b' } });
    expect(o.network?.mode).toBe('bridge');
  });
});
