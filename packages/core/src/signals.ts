/** Signal names and numbers (Linux x86_64/arm64), validated: signals are untrusted input. */
const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10,
  SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CLD: 17, CONT: 18, STOP: 19,
  TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28,
  IO: 29, POLL: 29, PWR: 30, SYS: 31,
};
const SIGRTMIN = 34;
const SIGRTMAX = 64;

import { InvalidArgumentError } from './errors.js';

/**
 * Parses "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3" into a signal number; anything
 * else is an INVALID_ARG error that names the input.
 */
export function parseSignal(input: string | number): number {
  if (typeof input === 'number') return checkNumber(input, String(input));
  const text = input.trim();
  if (/^\d+$/.test(text)) return checkNumber(Number(text), input);
  let name = text.toUpperCase();
  if (name.startsWith('SIG')) name = name.slice(3);
  const known = SIGNALS[name];
  if (known !== undefined) return known;
  const rt = /^RTM(IN|AX)([+-]\d+)?$/.exec(name);
  if (rt) {
    const base = rt[1] === 'IN' ? SIGRTMIN : SIGRTMAX;
    return checkNumber(base + Number(rt[2] ?? 0), input);
  }
  throw new InvalidArgumentError(`invalid signal "${input}"`, { details: { signal: input } });
}

function checkNumber(n: number, input: string): number {
  if (!Number.isInteger(n) || n < 1 || n > SIGRTMAX) {
    throw new InvalidArgumentError(`invalid signal "${input}": signals are 1 to ${SIGRTMAX}`, { details: { signal: input } });
  }
  return n;
}

/** "SIGTERM" for 15; "SIGRTMIN+3" style for real-time signals. */
export function signalName(n: number): string {
  const name = Object.keys(SIGNALS).find((k) => SIGNALS[k] === n && k !== 'IOT' && k !== 'CLD' && k !== 'POLL');
  if (name) return `SIG${name}`;
  if (n >= SIGRTMIN && n <= SIGRTMAX) return `SIGRTMIN+${n - SIGRTMIN}`;
  return String(n);
}
