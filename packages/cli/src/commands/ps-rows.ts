import { ContainerStatus as S, displayImageName, displayStatus, type ContainerRecord } from '@corral/core';
import { ago } from '../format/output.js';

/** A row of `ps`, with podman's JSON field names (templates use them). */
export interface PsRow {
  AutoRemove: boolean;
  Command: string[];
  CreatedAt: string;
  Created: number;
  Exited: boolean;
  ExitedAt: number;
  ExitCode: number;
  Id: string;
  ID: string;
  Image: string;
  ImageID: string;
  Labels: Record<string, string> | null;
  Mounts: string[];
  Names: string[];
  Networks: string[];
  Pid: number;
  Ports: string | null;
  StartedAt: number;
  State: string;
  Status: string;
}

const GO_ZERO_TIME = -62135596800;

export function psRow({ config, state }: ContainerRecord, noTrunc: boolean, now = Date.now()): PsRow {
  const exited = state.status === S.Exited || state.status === S.Stopped;
  const seconds = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) : GO_ZERO_TIME);
  const command = [...config.entrypoint, ...config.command];
  return {
    AutoRemove: config.autoRemove,
    Command: command,
    CreatedAt: ago(config.createdAt, now),
    Created: seconds(config.createdAt),
    Exited: exited,
    ExitedAt: exited ? seconds(state.finishedAt) : GO_ZERO_TIME,
    ExitCode: state.exitCode ?? 0,
    Id: config.id,
    ID: noTrunc ? config.id : config.id.slice(0, 12),
    Image: displayImageName(config.image),
    ImageID: config.imageId,
    Labels: Object.keys(config.labels).length ? config.labels : null,
    Mounts: config.mounts.map((m) => m.destination),
    Names: [config.name],
    Networks: config.network.attachments.map((a) => a.network),
    Pid: state.pid,
    Ports: config.network.ports.length
      ? config.network.ports
          .map((p) => `${p.hostIp || '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.protocol}`)
          .join(', ')
      : null,
    StartedAt: seconds(state.startedAt),
    State: displayStatus(state.status) === 'initialized' ? 'created' : displayStatus(state.status),
    Status: statusText(state.status, state.exitCode, state.startedAt, state.finishedAt, now),
  };
}

function statusText(status: S, exitCode: number | null, startedAt: string | null, finishedAt: string | null, now: number): string {
  switch (status) {
    case S.Running:
      return `Up ${ago(startedAt, now)}`;
    case S.Paused:
      return 'Paused';
    case S.Stopped:
    case S.Exited:
      return `Exited (${exitCode ?? 0}) ${ago(finishedAt, now)}`;
    case S.Configured:
    case S.Created:
      return 'Created';
    case S.Stopping:
      return 'Stopping';
    case S.Removing:
      return 'Removing';
    default:
      return 'Unknown';
  }
}

/** The row's template view: `.Names` and `.Command` print as podman prints them. */
export function templateView(row: PsRow, noTrunc: boolean): Record<string, unknown> {
  const command = row.Command.join(' ');
  return {
    ...row,
    Names: row.Names.join(','),
    Command: noTrunc || command.length <= 20 ? command : `${command.slice(0, 17)}...`,
    CreatedHuman: row.CreatedAt,
    Ports: row.Ports ?? '',
    Labels: row.Labels ?? {},
  };
}
