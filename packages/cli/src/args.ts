import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InvalidArgumentError } from '@corral/core';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Parsed {
  values: Values;
  positionals: string[];
}

/**
 * Parses a command's arguments with node's own parser, podman-style: with
 * `stopAtPositional`, options end at the first positional (so `run IMAGE ls -l` keeps
 * `-l` for the container). Unknown options are errors that name them.
 */
export function parseCommandArgs(argv: string[], options: OptionSpec, stopAtPositional: boolean): Parsed {
  let own = argv;
  let rest: string[] = [];
  if (stopAtPositional) {
    const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
    const first = tokens.find((tk) => tk.kind === 'positional' || tk.kind === 'option-terminator');
    if (first) {
      const cut = first.kind === 'option-terminator' ? first.index + 1 : first.index;
      own = argv.slice(0, first.index);
      rest = argv.slice(cut);
    }
  }
  const { args, explicit } = booleanValues(own, options);
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: !stopAtPositional });
    return { values: { ...values, ...explicit } as Values, positionals: [...positionals, ...rest] };
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''), { cause: err });
  }
}

const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/**
 * podman (Go's pflag) takes `--flag=false` for a boolean, which node's parser refuses.
 * Such arguments are taken out and their values, the last one winning, laid over the
 * parse; a bare `--flag` after them counts as true again.
 */
function booleanValues(argv: string[], options: OptionSpec): { args: string[]; explicit: Record<string, boolean> } {
  const args: string[] = [];
  const explicit: Record<string, boolean> = {};
  for (const arg of argv) {
    if (arg === '--') {
      args.push(...argv.slice(argv.indexOf(arg)));
      break;
    }
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (!m || !name || options[name]?.type !== 'boolean' || options[name]?.multiple) {
      args.push(arg);
      continue;
    }
    const value = m[2];
    if (value === undefined) {
      if (name in explicit) explicit[name] = true;
      args.push(arg);
    } else if (TRUE.has(value) || FALSE.has(value)) {
      explicit[name] = TRUE.has(value);
    } else {
      throw new InvalidArgumentError(`invalid argument ${JSON.stringify(value)} for "--${name}" flag: not a boolean`);
    }
  }
  return { args, explicit };
}

export function str(values: Values, key: string): string | undefined {
  const v = values[key];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function list(values: Values, key: string): string[] {
  const v = values[key];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export function bool(values: Values, key: string): boolean {
  return values[key] === true;
}

/** An integer option, validated. */
export function int(values: Values, key: string, min = 0): number | undefined {
  const v = str(values, key);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new InvalidArgumentError(`invalid value for --${key}: ${JSON.stringify(v)}`);
  return Number(v);
}
