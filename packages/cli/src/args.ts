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
  try {
    const { values, positionals } = parseArgs({ args: own, options, strict: true, allowPositionals: !stopAtPositional });
    return { values: values as Values, positionals: [...positionals, ...rest] };
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''), { cause: err });
  }
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
