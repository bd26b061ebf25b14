import { ContainerStatus as S } from '../status.js';
import { saveState, type ContainerHandle } from './handle.js';

/**
 * After a reboot nothing of the runtime side survives: processes, conmon, mounts and
 * network namespaces are gone. Reset the state to match; exec sessions go too.
 */
export async function resetAfterReboot(h: ContainerHandle): Promise<void> {
  const wasKnownToRuntime = [S.Created, S.Running, S.Paused, S.Stopping, S.Stopped, S.Unknown, S.Removing].includes(
    h.state.status,
  );
  if (wasKnownToRuntime) {
    h.state.status = S.Exited;
    if (h.state.exitCode === null) h.state.exitCode = -1;
    h.state.finishedAt ??= new Date().toISOString();
  }
  h.state.pid = 0;
  h.state.conmonPid = 0;
  h.state.mountPoint = '';
  h.state.mountCount = 0;
  h.state.netnsPath = '';
  h.state.networkStatus = null;
  for (const session of await h.services.store.execSessions.listFor(h.config.id)) {
    await h.services.store.execSessions.remove(session.id);
  }
  await saveState(h);
}
