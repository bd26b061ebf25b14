import type { ContainerConfig } from '../types/container-config.js';
import type { CorralEvent } from '../types/event.js';
import type { EngineServices } from './services.js';

import { nowNano } from '../events/time.js';

export { nowNano };

/**
 * Writes a container event. An event that cannot be written is logged, never thrown:
 * the operation it reports has already happened.
 */
export async function emitContainerEvent(
  services: EngineServices,
  config: ContainerConfig,
  action: string,
  extra: { exitCode?: number; attributes?: Record<string, string>; error?: string } = {},
): Promise<void> {
  const event: CorralEvent = {
    timeNano: nowNano(),
    type: 'container',
    action,
    id: config.id,
    name: config.name,
    image: config.image,
    attributes: { ...config.labels, ...extra.attributes },
    ...(extra.exitCode !== undefined ? { exitCode: extra.exitCode } : {}),
    ...(extra.error !== undefined ? { error: extra.error } : {}),
  };
  try {
    await services.events.write(event);
  } catch (err) {
    services.logger.warn({ err, action, id: config.id }, 'could not write event');
  }
}
