import { InvalidArgumentError } from '../errors.js';
import { displayStatus, parseStatus } from '../status.js';
import type { ContainerRecord } from '../contracts/state-store.js';

/** The `ps --filter` keys: values of one key are ORed, different keys ANDed. */
export type ContainerFilters = Record<string, string[]>;

const KEYS = ['id', 'name', 'label', 'status', 'ancestor', 'exited'] as const;

export function validateFilters(filters: ContainerFilters): void {
  for (const key of Object.keys(filters)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new InvalidArgumentError(`invalid filter ${JSON.stringify(key)}: use one of ${KEYS.join(', ')}`);
    }
    if (key === 'status') filters[key]!.forEach((s) => parseStatus(s));
  }
}

export function matchesFilters(record: ContainerRecord, filters: ContainerFilters): boolean {
  return Object.entries(filters).every(([key, values]) => values.length === 0 || values.some((v) => matchOne(record, key, v)));
}

function matchOne({ config, state }: ContainerRecord, key: string, value: string): boolean {
  switch (key) {
    case 'id':
      return config.id.startsWith(value);
    case 'name':
      return safeRegex(value).test(config.name);
    case 'label': {
      const eq = value.indexOf('=');
      if (eq === -1) return value in config.labels;
      return config.labels[value.slice(0, eq)] === value.slice(eq + 1);
    }
    case 'status':
      return state.status === parseStatus(value) || displayStatus(state.status) === value.toLowerCase();
    case 'ancestor':
      return config.image === value || config.imageId.startsWith(value) || config.image.replace(/:latest$/, '') === value;
    case 'exited':
      return state.exitCode !== null && String(state.exitCode) === value && displayStatus(state.status) === 'exited';
    default:
      return false;
  }
}

function safeRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new InvalidArgumentError(`invalid name filter ${JSON.stringify(pattern)}: not a regular expression`, { cause: err });
  }
}
