import type { CommandModule } from './context.js';

type Loader = () => Promise<CommandModule>;

/**
 * Every command, loaded only when invoked: `corral ps` never loads what `run` needs.
 * Two-word forms (container ls, image rm) map onto the same modules, as in podman.
 */
export const COMMANDS: Record<string, Loader> = {
  run: () => import('./commands/run.js').then((m) => m.default),
  create: () => import('./commands/create.js').then((m) => m.default),
  start: () => import('./commands/start.js').then((m) => m.default),
  stop: () => import('./commands/stop.js').then((m) => m.default),
  kill: () => import('./commands/kill.js').then((m) => m.default),
  restart: () => import('./commands/restart.js').then((m) => m.default),
  rm: () => import('./commands/rm.js').then((m) => m.default),
  ps: () => import('./commands/ps.js').then((m) => m.default),
  inspect: () => import('./commands/inspect.js').then((m) => m.default),
  logs: () => import('./commands/logs.js').then((m) => m.default),
  exec: () => import('./commands/exec.js').then((m) => m.default),
  attach: () => import('./commands/attach.js').then((m) => m.default),
  wait: () => import('./commands/wait.js').then((m) => m.default),
  pause: () => import('./commands/pause.js').then((m) => m.pause),
  unpause: () => import('./commands/pause.js').then((m) => m.unpause),
  mount: () => import('./commands/mount.js').then((m) => m.mount),
  umount: () => import('./commands/mount.js').then((m) => m.umount),
  export: () => import('./commands/export.js').then((m) => m.default),
  import: () => import('./commands/image-import.js').then((m) => m.default),
  load: () => import('./commands/image-load.js').then((m) => m.default),
  save: () => import('./commands/image-save.js').then((m) => m.default),
  images: () => import('./commands/images.js').then((m) => m.default),
  rmi: () => import('./commands/rmi.js').then((m) => m.default),
  tag: () => import('./commands/tag.js').then((m) => m.default),
  events: () => import('./commands/events.js').then((m) => m.default),
  version: () => import('./commands/version.js').then((m) => m.default),
  info: () => import('./commands/info.js').then((m) => m.default),
  'container cleanup': () => import('./commands/cleanup.js').then((m) => m.default),
  'container checkpoint': () => import('./commands/checkpoint.js').then((m) => m.default),
  'container restore': () => import('./commands/restore.js').then((m) => m.default),
  port: () => import('./commands/port.js').then((m) => m.default),
  top: () => import('./commands/top.js').then((m) => m.default),
  'network create': () => import('./commands/network.js').then((m) => m.networkCreate),
  'network ls': () => import('./commands/network.js').then((m) => m.networkLs),
  'network inspect': () => import('./commands/network.js').then((m) => m.networkInspect),
  'network rm': () => import('./commands/network.js').then((m) => m.networkRm),
  'network prune': () => import('./commands/network.js').then((m) => m.networkPrune),
  'system reset': () => import('./commands/system-reset.js').then((m) => m.default),
  'system service': () => import('./commands/system-service.js').then((m) => m.default),
  'container exists': () => import('./commands/exists.js').then((m) => m.default),
};

const ALIASES: Record<string, string> = {
  'container run': 'run',
  'container create': 'create',
  'container start': 'start',
  'container stop': 'stop',
  'container kill': 'kill',
  'container restart': 'restart',
  'container rm': 'rm',
  'container ls': 'ps',
  'container list': 'ps',
  'container ps': 'ps',
  'container inspect': 'inspect',
  'container logs': 'logs',
  'container exec': 'exec',
  'container attach': 'attach',
  'container wait': 'wait',
  'container pause': 'pause',
  'container unpause': 'unpause',
  'container mount': 'mount',
  'container umount': 'umount',
  'container unmount': 'umount',
  unmount: 'umount',
  'container export': 'export',
  'image import': 'import',
  'image load': 'load',
  'image save': 'save',
  'image ls': 'images',
  'image list': 'images',
  'image rm': 'rmi',
  'image tag': 'tag',
  'system info': 'info',
  'network list': 'network ls',
  'network remove': 'network rm',
  'container port': 'port',
  'container top': 'top',
  'system events': 'events',
};

/** Finds the command named by the first one or two words; returns it and the words used. */
export function findCommand(words: string[]): { name: string; load: Loader; used: number } | undefined {
  const two = words.slice(0, 2).join(' ');
  for (const [candidate, used] of [
    [two, 2],
    [words[0] ?? '', 1],
  ] as const) {
    const name = ALIASES[candidate] ?? candidate;
    if (Object.hasOwn(COMMANDS, name)) return { name, load: COMMANDS[name]!, used };
  }
  return undefined;
}
