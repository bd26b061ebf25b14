import { posix } from 'node:path';
import { InvalidArgumentError } from '@corral/core';
import type { OciRuntimeConfig } from './oci-config.js';

/** Splits like a shell: double quotes with backslash escapes, single quotes literal. */
export function splitWords(input: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch === '\\' && i + 1 < input.length) {
      cur += input[++i];
      inWord = true;
    } else if (ch === '"' || ch === "'") {
      const end = input.indexOf(ch, i + 1);
      if (end < 0) throw new InvalidArgumentError(`unterminated quote in "${input}"`);
      const body = input.slice(i + 1, end);
      cur += ch === '"' ? body.replace(/\\(.)/g, '$1') : body;
      i = end;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** A JSON array of strings (exec form), or the shell form wrapped in /bin/sh -c. */
function commandOf(rest: string, change: string): string[] {
  if (rest.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rest);
    } catch (err) {
      throw new InvalidArgumentError(`change "${change}": invalid JSON array`, { cause: err });
    }
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
      throw new InvalidArgumentError(`change "${change}": expected a JSON array of strings`);
    }
    return parsed;
  }
  return ['/bin/sh', '-c', rest];
}

/** key=value pairs (values quoted as in a Dockerfile), or the legacy "KEY value" form. */
function pairsOf(rest: string, change: string): [string, string][] {
  const words = splitWords(rest);
  if (words.length === 0) throw new InvalidArgumentError(`change "${change}": missing arguments`);
  if (!words[0]!.includes('=') || words[0]!.startsWith('=')) {
    const key = words[0]!;
    return [[key, rest.trim().slice(rest.trim().indexOf(key) + key.length).trim().replace(/^"(.*)"$/s, '$1')]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`change "${change}": "${w}" is not key=value`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

/**
 * Applies podman's `--change` instructions (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
 * STOPSIGNAL, USER, VOLUME, WORKDIR, ONBUILD) to an OCI image config's `config`.
 */
export function applyChanges(base: OciRuntimeConfig, changes: readonly string[]): OciRuntimeConfig {
  const cfg: OciRuntimeConfig = structuredClone(base);
  for (const change of changes) {
    const m = /^\s*([A-Za-z]+)(?:\s+|$)(.*)$/s.exec(change);
    if (!m) throw new InvalidArgumentError(`invalid change "${change}"`);
    const verb = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    if (!rest) throw new InvalidArgumentError(`change "${change}": ${verb} needs an argument`);
    switch (verb) {
      case 'CMD':
        cfg.Cmd = commandOf(rest, change);
        break;
      case 'ENTRYPOINT':
        cfg.Entrypoint = commandOf(rest, change);
        break;
      case 'ENV':
        for (const [k, v] of pairsOf(rest, change)) cfg.Env = (cfg.Env ?? []).filter((e) => e.split('=')[0] !== k).concat(`${k}=${v}`);
        break;
      case 'LABEL':
        for (const [k, v] of pairsOf(rest, change)) cfg.Labels = { ...cfg.Labels, [k]: v };
        break;
      case 'EXPOSE':
        for (const port of splitWords(rest)) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(port)) throw new InvalidArgumentError(`change "${change}": invalid port "${port}"`);
          cfg.ExposedPorts = { ...cfg.ExposedPorts, [port.includes('/') ? port.toLowerCase() : `${port}/tcp`]: {} };
        }
        break;
      case 'VOLUME': {
        const vols = rest.startsWith('[') ? commandOf(rest, change) : splitWords(rest);
        for (const v of vols) cfg.Volumes = { ...cfg.Volumes, [v]: {} };
        break;
      }
      case 'WORKDIR':
        cfg.WorkingDir = posix.resolve(cfg.WorkingDir || '/', rest);
        break;
      case 'USER':
        cfg.User = rest;
        break;
      case 'STOPSIGNAL':
        cfg.StopSignal = rest;
        break;
      case 'ONBUILD':
        cfg.OnBuild = [...(cfg.OnBuild ?? []), rest];
        break;
      default:
        throw new InvalidArgumentError(`change "${change}": unsupported instruction ${verb}`, { details: { change } });
    }
  }
  return cfg;
}
