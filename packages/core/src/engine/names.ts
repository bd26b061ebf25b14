import { randomBytes, randomInt } from '../crypto.js';
import { InvalidArgumentError } from '../errors.js';

/** podman's and Docker's rule for container names. */
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function validateName(name: string): void {
  if (typeof name !== 'string' || !NAME_RE.test(name) || name.length > 253) {
    throw new InvalidArgumentError(`invalid container name ${JSON.stringify(name)}: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`, {
      details: { name },
    });
  }
  // A 64-hex name could shadow another container's id in lookups.
  if (/^[0-9a-f]{64}$/.test(name)) {
    throw new InvalidArgumentError(`invalid container name ${name}: a name must not look like a container id`);
  }
}

/** 64 hex characters; never all digits, so that a short prefix is never a number. */
export function newContainerId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    if (/[a-f]/.test(id.slice(0, 12))) return id;
  }
}

const ADJECTIVES = [
  'agile', 'bold', 'brave', 'bright', 'calm', 'clever', 'cosy', 'daring', 'eager', 'fancy', 'fond', 'gentle',
  'happy', 'hardy', 'jolly', 'keen', 'kind', 'lively', 'lucid', 'merry', 'nimble', 'noble', 'plucky', 'proud',
  'quiet', 'quick', 'rapid', 'serene', 'sharp', 'shy', 'steady', 'sunny', 'swift', 'tender', 'upbeat', 'vivid',
  'wise', 'witty', 'zealous', 'zen',
];
const NOUNS = [
  'alpaca', 'antelope', 'badger', 'bison', 'buffalo', 'camel', 'cattle', 'colt', 'donkey', 'elk', 'filly', 'gazelle',
  'goat', 'heifer', 'horse', 'ibex', 'llama', 'mare', 'moose', 'mule', 'mustang', 'ox', 'pony', 'ram', 'reindeer',
  'sheep', 'stallion', 'steer', 'yak', 'zebra',
];

/** A readable random name like "nimble_yak". */
export function randomName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NOUNS[randomInt(NOUNS.length)]}`;
}
