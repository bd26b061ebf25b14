import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { CorralError, ErrorCode, RuntimeError, parseDetachKeys, type AttachStreams, type ExecConfig, type ExecStarted, type Logger, type TerminalSize } from '@corral/core';
import { pumpAttach } from '../attach/pump.js';
import { connectAttachSocket } from '../attach/socket.js';
import { writeResize } from '../attach/ctl.js';
import { conmonArgs } from '../conmon/args.js';
import { readExitFile } from '../conmon/exit-file.js';
import { ConmonLaunch, withDeadline } from '../conmon/launch.js';
import { readMeta } from '../meta.js';
import { containerPaths, execPaths, type ExecPaths } from '../paths.js';
import { isOurProcess, killQuietly, readPidFile } from '../proc.js';
import type { OciSpec } from '../spec/types.js';
import { buildExecProcess } from './exec-spec.js';
import { execStartError } from './errors.js';

const START_DEADLINE_MS = 60_000;

/** Exec sessions through conmon (`conmon --exec`), each in its own directory. */
export class ExecRunner {
  constructor(
    private readonly runDir: string,
    private readonly lastCap: () => number,
    private readonly logger: Logger,
  ) {}

  async exec(containerId: string, sessionId: string, config: ExecConfig, streams: AttachStreams | null): Promise<ExecStarted> {
    const cp = containerPaths(this.runDir, containerId);
    const meta = readMeta(cp.meta, containerId);
    if (config.terminal && meta.runtime.kind === 'runsc') {
      throw new CorralError(
        ErrorCode.NotSupported,
        `cannot exec with a terminal in container ${containerId}: conmon passes --tty to \`runsc exec\`, which runsc does not define`,
        { details: { id: containerId, runtime: meta.runtime.name } },
      );
    }
    const sp = execPaths(cp, containerId, sessionId);
    const spec = JSON.parse(readFileSync(cp.spec, 'utf8')) as OciSpec;
    const processSpec = buildExecProcess(
      { containerId, container: spec.process, rootfs: meta.rootfs, lastCap: this.lastCap(), capAdd: meta.capAdd, capDrop: meta.capDrop },
      config,
    );
    rmSync(sp.dir, { recursive: true, force: true });
    mkdirSync(sp.exitDir, { recursive: true });
    mkdirSync(sp.persistDir, { recursive: true });
    writeFileSync(sp.processSpec, JSON.stringify(processSpec));

    const attached = streams !== null;
    const stdin = attached && config.attachStdin && !!streams.stdin;
    const detachKeys = parseDetachKeys(config.detachKeys);
    const launch = new ConmonLaunch({
      conmonPath: meta.conmonPath,
      cwd: sp.dir,
      attachPipe: attached,
      what: `exec session ${sessionId} of container ${containerId}`,
      args: conmonArgs({
        containerId,
        uuid: sessionId,
        name: meta.name,
        runtimePath: meta.runtime.path,
        runtimeArgs: meta.runtime.globalArgs,
        bundle: sp.dir,
        pidFile: sp.pidFile,
        conmonPidFile: sp.conmonPidFile,
        exitDir: sp.exitDir,
        persistDir: sp.persistDir,
        logPath: '',
        logSizeMax: 0,
        terminal: config.terminal,
        stdin,
        exec: { processSpec: sp.processSpec, attach: attached },
      }),
    });

    let sock;
    try {
      launch.start();
      if (attached) {
        const ready = await withDeadline(launch.attachReady(), START_DEADLINE_MS, `conmon for exec session ${sessionId}`);
        if (ready.data < 0) throw new RuntimeError(`conmon could not set up attach for exec in container ${containerId}: ${ready.message ?? ''}`);
        sock = await connectAttachSocket(sp.attach, `exec session ${sessionId} of container ${containerId}`);
        // The second start message lets conmon run the process now that nothing can be missed.
        launch.start();
      }
      const started = await withDeadline(launch.nextSync(), START_DEADLINE_MS, `exec in container ${containerId}`);
      if (started.data < 0) throw execStartError(started.message ?? `exit status ${-started.data}`, containerId, config.command);
      const pid = started.data;
      if (!attached || !sock) {
        launch.close();
        return { pid };
      }
      const end = pumpAttach(sock, streams, { detachKeys, forwardStdin: stdin });
      const exited = (async () => {
        try {
          const result = await launch.nextSync();
          await end;
          return result.data;
        } catch (err) {
          // The sync pipe closed early: conmon wrote the exit file before going.
          await end;
          const rec = readExitFile(sp.exitFile);
          if (rec) return rec.code;
          throw new RuntimeError(`exec session ${sessionId} of container ${containerId} ended without an exit code`, { cause: err });
        } finally {
          launch.close();
        }
      })();
      return { pid, exited };
    } catch (err) {
      sock?.destroy();
      launch.close();
      throw err;
    }
  }

  async execExitCode(containerId: string, sessionId: string): Promise<number | undefined> {
    const sp = this.paths(containerId, sessionId);
    return readExitFile(sp.exitFile)?.code;
  }

  async execResize(containerId: string, sessionId: string, size: TerminalSize): Promise<void> {
    const sp = this.paths(containerId, sessionId);
    writeResize(sp.ctl, size, `exec session ${sessionId} of container ${containerId}`);
  }

  async execCleanup(containerId: string, sessionId: string): Promise<void> {
    const sp = this.paths(containerId, sessionId);
    this.killSessionConmon(sp);
    rmSync(sp.dir, { recursive: true, force: true });
  }

  /** Kills the conmons of every session of a container (its deletion). */
  killAll(containerId: string): void {
    const cp = containerPaths(this.runDir, containerId);
    let sessions: string[];
    try {
      sessions = readdirSync(cp.execRoot);
    } catch {
      return;
    }
    for (const s of sessions) {
      try {
        this.killSessionConmon(execPaths(cp, containerId, s));
      } catch (err) {
        this.logger.debug({ err, session: s }, 'cannot stop the conmon of an exec session');
      }
    }
  }

  private killSessionConmon(sp: ExecPaths): void {
    const pid = readPidFile(sp.conmonPidFile);
    if (pid && isOurProcess(pid, 'conmon', sp.dir)) killQuietly(pid, 'SIGKILL');
  }

  private paths(containerId: string, sessionId: string): ExecPaths {
    return execPaths(containerPaths(this.runDir, containerId), containerId, sessionId);
  }
}
