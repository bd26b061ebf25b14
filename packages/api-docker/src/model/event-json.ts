import type { CorralEvent } from '@corral/core';

/** corral's action names where Docker's differ. */
const TO_DOCKER: Record<string, string> = { died: 'die', exec: 'exec_start', exec_died: 'exec_die', remove: 'destroy' };
const FROM_DOCKER: Record<string, string> = Object.fromEntries(Object.entries(TO_DOCKER).map(([c, d]) => [d, c]));

export function dockerAction(action: string): string {
  return TO_DOCKER[action] ?? action;
}

/** An `event=` filter value as corral names the action. */
export function corralAction(action: string): string {
  return FROM_DOCKER[action] ?? action;
}

/** One line of GET /events. */
export function eventJson(event: CorralEvent) {
  const action = dockerAction(event.action);
  const attributes: Record<string, string> = { ...event.attributes };
  if (event.name) attributes.name = event.name;
  if (event.image) attributes.image = event.image;
  if (event.exitCode !== undefined) attributes.exitCode = String(event.exitCode);
  const timeNano = event.timeNano;
  const type = event.type === 'exec' ? 'container' : event.type;
  const fullAction = action === 'exec_start' && attributes.command ? `exec_start: ${attributes.command}` : action;
  return {
    ...(type === 'container' ? { status: fullAction, id: event.id, from: event.image } : {}),
    Type: type,
    Action: fullAction,
    Actor: { ID: event.id, Attributes: attributes },
    scope: 'local',
    time: Number(timeNano / 1_000_000_000n),
    timeNano: Number(timeNano),
  };
}
