/**
 * The transition table: the single source of truth for which states each container
 * operation accepts and which state it leaves. Every operation of the Container API
 * calls `checkTransition` with its name before it acts.
 */
import { ContainerStatus as S, ALL_STATUSES, displayStatus } from './status.js';
import { ContainerStateError, ErrorCode } from './errors.js';

export type Operation =
  | 'init'
  | 'start'
  | 'stop'
  | 'kill'
  | 'pause'
  | 'unpause'
  | 'restart'
  | 'attach'
  | 'exec'
  | 'resize'
  | 'checkpoint'
  | 'restore'
  | 'cleanup'
  | 'remove'
  | 'mount'
  | 'unmount'
  | 'export';

/** The operation is allowed; the container ends in one of `to` ('same' = unchanged). */
export interface Allowed {
  readonly allowed: true;
  readonly to: readonly (S | 'same')[];
}
/** The operation is refused with `code`; `forceable` means a `force` option overrides. */
export interface Refused {
  readonly allowed: false;
  readonly code: ErrorCode;
  readonly why: string;
  readonly forceable?: boolean;
}
export type Outcome = Allowed | Refused;

type Spec = {
  allow: Partial<Record<S, S | 'same' | readonly (S | 'same')[]>>;
  refuse?: Partial<Record<S, readonly [ErrorCode, string] | readonly [ErrorCode, string, 'forceable']>>;
  /** Every state not listed above. */
  otherwise: readonly [ErrorCode, string];
};

function rule(spec: Spec): Readonly<Record<S, Outcome>> {
  const out = {} as Record<S, Outcome>;
  for (const status of ALL_STATUSES) {
    const to = spec.allow[status];
    if (to !== undefined) {
      out[status] = { allowed: true, to: Array.isArray(to) ? to : [to as S | 'same'] };
      continue;
    }
    const refusal = spec.refuse?.[status] ?? (status === S.Removing ? REMOVING : spec.otherwise);
    out[status] = {
      allowed: false,
      code: refusal[0],
      why: refusal[1],
      ...(refusal[2] === 'forceable' ? { forceable: true } : {}),
    };
  }
  return Object.freeze(out);
}

const REMOVING = [ErrorCode.CtrRemoved, 'is being removed'] as const;
const NOT_RUNNING = [ErrorCode.CtrStopped, 'is not running'] as const;

export const TRANSITIONS: Readonly<Record<Operation, Readonly<Record<S, Outcome>>>> = Object.freeze({
  init: rule({
    allow: { [S.Configured]: S.Created, [S.Stopped]: S.Created, [S.Exited]: S.Created },
    otherwise: [ErrorCode.CtrStateInvalid, 'has already been created in the runtime'],
  }),
  start: rule({
    allow: { [S.Configured]: S.Running, [S.Created]: S.Running, [S.Stopped]: S.Running, [S.Exited]: S.Running },
    refuse: { [S.Running]: [ErrorCode.CtrRunning, 'is already running'] },
    otherwise: [ErrorCode.CtrStateInvalid, 'must be created, stopped or exited to be started'],
  }),
  stop: rule({
    allow: { [S.Running]: S.Exited, [S.Paused]: S.Exited, [S.Stopping]: S.Exited },
    refuse: { [S.Unknown]: [ErrorCode.CtrStateInvalid, 'is in an unknown state'] },
    otherwise: NOT_RUNNING,
  }),
  kill: rule({
    allow: { [S.Running]: 'same', [S.Paused]: 'same', [S.Stopping]: 'same' },
    otherwise: [ErrorCode.CtrStateInvalid, 'can only kill running containers'],
  }),
  pause: rule({
    allow: { [S.Running]: S.Paused },
    refuse: { [S.Paused]: [ErrorCode.CtrStateInvalid, 'is already paused'] },
    otherwise: [ErrorCode.CtrStateInvalid, 'is not running, can only pause running containers'],
  }),
  unpause: rule({
    allow: { [S.Paused]: S.Running },
    otherwise: [ErrorCode.CtrStateInvalid, 'is not paused, can only unpause paused containers'],
  }),
  restart: rule({
    allow: {
      [S.Configured]: S.Running,
      [S.Created]: S.Running,
      [S.Running]: S.Running,
      [S.Stopped]: S.Running,
      [S.Exited]: S.Running,
    },
    otherwise: [ErrorCode.CtrStateInvalid, 'cannot be restarted in this state'],
  }),
  attach: rule({
    allow: { [S.Created]: 'same', [S.Running]: 'same' },
    otherwise: [ErrorCode.CtrStateInvalid, 'can only attach to created or running containers'],
  }),
  exec: rule({
    allow: { [S.Running]: 'same' },
    otherwise: [ErrorCode.CtrStateInvalid, 'can only create exec sessions on running containers'],
  }),
  resize: rule({
    allow: { [S.Created]: 'same', [S.Running]: 'same', [S.Paused]: 'same' },
    otherwise: [ErrorCode.CtrStateInvalid, 'can only resize created or running containers'],
  }),
  checkpoint: rule({
    allow: { [S.Running]: [S.Exited, S.Running] },
    otherwise: [ErrorCode.CtrStateInvalid, 'is not running, can only checkpoint running containers'],
  }),
  restore: rule({
    allow: { [S.Configured]: S.Running, [S.Stopped]: S.Running, [S.Exited]: S.Running },
    refuse: {
      [S.Running]: [ErrorCode.CtrRunning, 'is running, cannot restore'],
      [S.Paused]: [ErrorCode.CtrRunning, 'is paused, cannot restore'],
    },
    otherwise: [ErrorCode.CtrStateInvalid, 'must be configured, stopped or exited to be restored'],
  }),
  cleanup: rule({
    allow: { [S.Configured]: 'same', [S.Created]: S.Exited, [S.Stopped]: S.Exited, [S.Exited]: 'same', [S.Unknown]: S.Exited },
    otherwise: [ErrorCode.CtrStateInvalid, 'is running or paused, refusing to clean up'],
  }),
  remove: rule({
    allow: { [S.Configured]: 'same', [S.Created]: 'same', [S.Stopped]: 'same', [S.Exited]: 'same', [S.Unknown]: 'same' },
    refuse: {
      [S.Running]: [ErrorCode.CtrRunning, 'is running, cannot remove it without force', 'forceable'],
      [S.Paused]: [ErrorCode.CtrRunning, 'is paused, cannot remove it without force', 'forceable'],
      [S.Stopping]: [ErrorCode.CtrRunning, 'is stopping, cannot remove it without force', 'forceable'],
      // A removal that failed half-way leaves Removing; a forced remove finishes it.
      [S.Removing]: [ErrorCode.CtrRemoved, 'is being removed', 'forceable'],
    },
    otherwise: REMOVING,
  }),
  mount: rule({
    allow: {
      [S.Configured]: 'same',
      [S.Created]: 'same',
      [S.Running]: 'same',
      [S.Stopped]: 'same',
      [S.Paused]: 'same',
      [S.Exited]: 'same',
      [S.Stopping]: 'same',
    },
    otherwise: [ErrorCode.CtrStateInvalid, 'is in an unknown state, cannot mount it'],
  }),
  unmount: rule({
    allow: { [S.Configured]: 'same', [S.Stopped]: 'same', [S.Exited]: 'same' },
    refuse: {
      [S.Created]: [ErrorCode.CtrStateInvalid, 'is created in the runtime, unmounting needs force', 'forceable'],
      [S.Running]: [ErrorCode.CtrRunning, 'is running, unmounting needs force', 'forceable'],
      [S.Paused]: [ErrorCode.CtrRunning, 'is paused, unmounting needs force', 'forceable'],
      [S.Stopping]: [ErrorCode.CtrRunning, 'is stopping, unmounting needs force', 'forceable'],
    },
    otherwise: [ErrorCode.CtrStateInvalid, 'is in an unknown state, cannot unmount it'],
  }),
  export: rule({
    allow: {
      [S.Configured]: 'same',
      [S.Created]: 'same',
      [S.Running]: 'same',
      [S.Stopped]: 'same',
      [S.Paused]: 'same',
      [S.Exited]: 'same',
      [S.Stopping]: 'same',
    },
    otherwise: [ErrorCode.CtrStateInvalid, 'is in an unknown state, cannot export it'],
  }),
});

export const OPERATIONS = Object.keys(TRANSITIONS) as Operation[];

/**
 * Throws the table's error when `op` is not allowed from `status`; `force` lifts the
 * refusals the table marks forceable. Returns the allowed outcome.
 */
export function checkTransition(
  op: Operation,
  status: S,
  container: { id: string; name: string },
  options: { force?: boolean } = {},
): Outcome {
  const outcome = TRANSITIONS[op][status];
  if (outcome.allowed) return outcome;
  if (outcome.forceable && options.force) return outcome;
  throw new ContainerStateError(
    outcome.code,
    `cannot ${op} container ${container.name} (${container.id.slice(0, 12)}): it ${outcome.why} (state ${displayStatus(status)})`,
    { details: { id: container.id, name: container.name, state: status, operation: op } },
  );
}
