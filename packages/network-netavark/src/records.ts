import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '@corral/core';
import type { NetavarkOptions } from './netavark-types.js';

/**
 * What this backend set up for a container, kept in the run directory from before the
 * first side effect until teardown finished: after a crash (the container's state never
 * got the status) it is what tells refresh and teardown what to undo.
 */
export interface SetupRecord {
  containerId: string;
  netnsPath: string;
  /** Filled in once the addresses are known; absent when setup died before. */
  options?: NetavarkOptions;
  /** The process that made it, and when: a live, young record may be mid-start. */
  pid: number;
  createdAt: number;
}

const ID = /^[0-9a-zA-Z_.-]+$/;

/**
 * Records are small local files read and written on every setup and teardown, so the
 * calls are synchronous: an fs/promises call is a thread-pool round trip (~0.3 ms) where
 * the work is microseconds. The methods stay async for the callers.
 */
export class SetupRecords {
  constructor(private readonly dir: string) {}

  /** The directory with the container's generated /etc files. */
  filesDir(containerId: string): string {
    return path.join(this.dir, checkId(containerId));
  }

  async write(record: SetupRecord): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.#file(record.containerId);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, file);
  }

  async read(containerId: string): Promise<SetupRecord | undefined> {
    try {
      return JSON.parse(readFileSync(this.#file(containerId), 'utf8')) as SetupRecord;
    } catch {
      return undefined;
    }
  }

  async list(): Promise<SetupRecord[]> {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const records: SetupRecord[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const record = await this.read(name.slice(0, -'.json'.length));
      if (record) records.push(record);
    }
    return records;
  }

  /** Drops the record and the generated files. Idempotent. */
  async remove(containerId: string): Promise<void> {
    rmSync(this.filesDir(containerId), { recursive: true, force: true });
    rmSync(this.#file(containerId), { force: true });
  }

  #file(containerId: string): string {
    return path.join(this.dir, `${checkId(containerId)}.json`);
  }
}

function checkId(containerId: string): string {
  // Ids become file names: nothing that could climb out of the directory.
  if (!ID.test(containerId) || containerId === '.' || containerId === '..') {
    throw new InvalidArgumentError(`invalid container id ${JSON.stringify(containerId)}`);
  }
  return containerId;
}
