import { readFile, readdir, readlink } from 'node:fs/promises';
import { ContainerStatus as S, InvalidArgumentError } from '@corral/core';
import type { CommandModule } from '../context.js';
import { alignColumns } from '../format/output.js';

interface Proc {
  pid: number;
  ppid: number;
  uid: number;
  tty: number;
  utime: number;
  stime: number;
  start: number;
  command: string;
}

/**
 * `top CONTAINER`: the container's processes read from /proc on the host (every
 * process in the container's PID namespace), with podman's default columns.
 */
const top: CommandModule = {
  usage: 'top CONTAINER',
  options: {},
  async run(ctx, { positionals }) {
    if (positionals.length !== 1) throw new InvalidArgumentError('top takes one container (descriptors are not supported)');
    const ctr = await (await ctx.engine()).container(positionals[0]!);
    const state = await ctr.sync();
    if (state.status !== S.Running && state.status !== S.Paused) {
      throw new InvalidArgumentError(`top can only be used on running containers: ${ctr.name} is ${state.status}`);
    }
    const ns = await readlink(`/proc/${state.pid}/ns/pid`);
    const clockTicks = 100;
    const uptime = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
    // Through /proc/PID/root the container's own symlinks resolve inside the container.
    const users = await passwdNames(`/proc/${state.pid}/root`);
    const procs: Proc[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if ((await readlink(`/proc/${entry}/ns/pid`)) !== ns) continue;
        procs.push(await readProc(Number(entry)));
      } catch {
        // exited while we looked
      }
    }
    const nsPid = new Map<number, number>();
    for (const p of procs) nsPid.set(p.pid, await innerPid(p.pid));
    const lines = ['USER\tPID\tPPID\t%CPU\tELAPSED\tTTY\tTIME\tCOMMAND'];
    for (const p of procs.sort((a, b) => a.pid - b.pid)) {
      const elapsed = uptime - p.start / clockTicks;
      const cpu = elapsed > 0 ? ((p.utime + p.stime) / clockTicks / elapsed) * 100 : 0;
      lines.push(
        [
          users.get(p.uid) ?? String(p.uid),
          nsPid.get(p.pid) ?? p.pid,
          nsPid.get(p.ppid) ?? 0,
          cpu.toFixed(3),
          duration(elapsed),
          p.tty ? `pts/${p.tty & 0xff}` : '?',
          duration((p.utime + p.stime) / clockTicks),
          p.command,
        ].join('\t'),
      );
    }
    ctx.stdout.write(alignColumns(lines));
    return 0;
  },
};
export default top;

async function readProc(pid: number): Promise<Proc> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean).join(' ');
  return {
    pid,
    ppid: Number(fields[1]),
    tty: Number(fields[4]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    start: Number(fields[19]),
    uid,
    command: cmdline || stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
  };
}

/** The PID as the container sees it (the last NSpid entry). */
async function innerPid(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const ids = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
  return Number(ids[ids.length - 1] ?? pid);
}

async function passwdNames(root: string): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  if (!root) return names;
  try {
    for (const line of (await readFile(`${root}/etc/passwd`, 'utf8')).split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid) names.set(Number(uid), name);
    }
  } catch {
    // no passwd: numeric ids
  }
  return names;
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}
